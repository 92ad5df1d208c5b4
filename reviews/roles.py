"""Permissions the review gives each role (groups are synced after every migrate)."""

from accounts.roles import CERTIFICATION_ADMIN, EXPERT_COMMITTEE

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CERTIFICATION_ADMIN: [
        "reviews.view_reviewproject",
        "reviews.add_reviewproject",
        "reviews.change_reviewproject",
        "reviews.run_draw",
        "reviews.accept_project",
        "reviews.view_organisationmember",
        "reviews.add_organisationmember",
        "reviews.change_organisationmember",
        "reviews.delete_organisationmember",
        "reviews.view_organisationprofile",
        "reviews.view_organisationsite",
        "reviews.manage_certificate",
        "reviews.verify_draw",
        "reviews.view_draw",
        "reviews.view_teammember",
        "reviews.view_reviewerdeclaredconflict",
        "reviews.add_reviewerdeclaredconflict",
        "reviews.change_reviewerdeclaredconflict",
        "reviews.delete_reviewerdeclaredconflict",
        "reviews.view_evidencepageview",
        "reviews.view_agreementversion",
        "reviews.add_agreementversion",
        "reviews.change_agreementversion",
        "reviews.delete_agreementversion",
        "reviews.view_agreementacceptance",
    ],
    EXPERT_COMMITTEE: [
        "reviews.view_reviewproject",
        "reviews.decide_project",
        "reviews.verify_draw",
        "reviews.view_draw",
        "reviews.view_teammember",
        "reviews.view_evidence",
        "reviews.view_evidencepageview",
        "reviews.spot_check",
    ],
}
