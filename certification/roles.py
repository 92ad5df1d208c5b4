"""Permissions certification gives each role (groups are synced after every migrate)."""

from accounts.roles import CERTIFICATION_ADMIN, EXPERT_COMMITTEE

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CERTIFICATION_ADMIN: [
        "certification.view_credential",
        "certification.change_credential_status",
        "certification.review_education",
        "certification.rank_reviewer_candidates",
        "certification.view_reviewerapplication",
        "certification.view_organisationaffiliation",
        "certification.add_organisationaffiliation",
        "certification.change_organisationaffiliation",
        "certification.delete_organisationaffiliation",
        "certification.view_rankingweights",
        "certification.change_rankingweights",
        "certification.view_credentialtype",
        "certification.change_credentialtype",
    ],
    EXPERT_COMMITTEE: [
        "certification.view_credential",
        "certification.view_reviewerapplication",
        "certification.view_organisationaffiliation",
    ],
}
