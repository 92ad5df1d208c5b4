"""What cms's audit entries are called in the interface (core.selectors.audit_action_label).
The codes stay in the log, stable for exports and queries; people read these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "cms.standard.imported": _("Standard imported"),
}
