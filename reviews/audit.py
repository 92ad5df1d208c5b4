"""What the review's audit entries are called in the interface
(core.selectors.audit_action_label). The codes stay in the log, stable for exports and queries;
people read these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "reviews.draw.run": _("Review team drawn"),
    "reviews.member.declined": _("Drawn reviewer declined"),
    "reviews.draw.redrawn": _("Replacement reviewer drawn"),
    "reviews.redraw.exhausted": _("No reviewer left in the frozen pool to replace a decline"),
    "reviews.draw.vacancy_filled": _("Vacant place filled from the eligible pool as it stands"),
    "reviews.organisation.registered": _("Organisation registered for review"),
    "reviews.organisation.profile_saved": _("Organisation's review profile saved"),
    "reviews.organisation.member_added": _("Colleague added to the organisation"),
    "reviews.organisation.member_removed": _("Colleague removed from the organisation"),
    "reviews.site.added": _("Contact-centre site added"),
    "reviews.site.removed": _("Contact-centre site removed"),
    "reviews.application.created": _("Review application started"),
    "reviews.application.updated": _("Review application changed"),
    "reviews.application.submitted": _("Review application submitted"),
    "reviews.application.accepted": _("Review application accepted"),
    "reviews.application.returned": _("Review application returned to the applicant"),
    "reviews.certificate.issued": _("Centre certificate issued"),
    "reviews.evidence.added": _("Evidence added to a review"),
    "reviews.evidence.requested": _("More evidence requested"),
    "reviews.agreement.accepted": _("Integrity agreement accepted"),
    "reviews.project.document_review": _("Whole team signed: document review started"),
    "reviews.judgement.recorded": _("Reviewer's judgement of an item recorded"),
    "reviews.final.recorded": _("Team's final judgement of an item recorded"),
    "reviews.project.onsite_started": _("On-site review started by the lead reviewer"),
    "reviews.project.consolidated": _("Review consolidated with the team's recommendation"),
    "reviews.project.decided": _("Certification decided by the expert committee"),
    "reviews.kpi.saved": _("12 months of KPI data saved (the figures replaced are kept)"),
    "reviews.kpi.drawn": _("KPI month drawn to be recomputed from source records"),
    "reviews.kpi.source_uploaded": _("Source records uploaded for the drawn KPI month"),
    "reviews.organisation.benchmark_consent": _("Consent to be named in the KPI benchmark "
                                                 "changed"),
    "reviews.fee.recorded": _("Reviewer's days and fee recorded"),
    "reviews.fee.changed": _("Reviewer's days, fee or travel costs corrected"),
    "reviews.onsite.captured": _("On-site record captured by a reviewer"),
    "reviews.spotcheck.drawn": _("Spot-check drawn by the expert committee"),
    "reviews.spotcheck.judged": _("Item re-judged in a spot-check"),
    "reviews.spotcheck.completed": _("Spot-check completed"),
    "reviews.sanction.imposed": _("Reviewer sanctioned on spot-check findings"),
    "reviews.sanction.appealed": _("Sanction appealed by the reviewer"),
    "reviews.sanction.appeal_upheld": _("Appeal upheld: the sanction is reversed"),
    "reviews.sanction.appeal_rejected": _("Appeal rejected: the sanction stays"),
}
