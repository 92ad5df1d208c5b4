"""What exams's audit entries are called in the interface (core.selectors.audit_action_label).
The codes stay in the log, stable for exports and queries; people read these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "exams.accommodation.granted": _("Extra time granted"),
    "exams.appeal.upheld": _("Score review upheld"),
    "exams.appeal.rejected": _("Score review rejected"),
    "exams.attempt.regraded": _("Attempt regraded"),
    "exams.question.voided": _("Question voided"),
}
