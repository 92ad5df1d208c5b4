"""What certification's audit entries are called in the interface
(core.selectors.audit_action_label). The codes stay in the log, stable for exports and queries;
people read these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "certification.credential.issued": _("Credential issued"),
    "certification.credential.renewed": _("Credential renewed"),
    "certification.credential.suspended": _("Credential suspended"),
    "certification.credential.reinstated": _("Credential reinstated"),
    "certification.credential.revoked": _("Credential revoked"),
    "certification.credential.warned": _("Warning recorded on the credential"),
    "certification.renewal.pass_withdrawn": _("Renewal withdrawn: the exam pass was withdrawn"),
    "certification.education.submitted": _("Continuing-education hours submitted"),
    "certification.education.approved": _("Continuing-education hours approved"),
    "certification.education.rejected": _("Continuing-education hours rejected"),
    "certification.application.submitted": _("Reviewer application submitted"),
    "certification.application.promoted": _("Promoted to registered reviewer"),
    "certification.application.declined": _("Reviewer application declined"),
    "certification.affiliation.recorded": _("Organisation relationship recorded"),
    "certification.affiliation.changed": _("Organisation relationship changed"),
    "certification.affiliation.deleted": _("Organisation relationship deleted"),
    "certification.ranking_weights.updated": _("Ranking weights changed"),
}
