"""Every write of the certification app, one topic per module:

- `issuance`: credential types, the gap-free number counter, issuing, what a pass does;
- `credential_pdf`: the certificate PDF (rendered by a task, stored, re-rendered on change);
- `status`: suspension, reinstatement, revocation, a withdrawn pass, the registry listing;
- `renewal`: continuing-education hours, renewal by hours, reminders before expiry;
- `reconciliation`: passes that reached no credential;
- `applications`: reviewer applications, ranking weights, promotion and decline;
- `affiliations`: affiliations between organisations (the conflict rule reads them);
- `notifications`: the emails to holders and applicants;
- `openbadges`: Open Badges status-list indexes, identity salts and generated signing keys.

Callers import from `certification.services`; the reads live in `certification.selectors`
(`credential_valid_for` and `credential_education_hours` are re-exported here for the callers
that still look for them here)."""

from __future__ import annotations

from ..errors import CertificationError
from ..selectors import credential_education_hours, credential_valid_for
from .affiliations import affiliation_record
from .applications import (
    ranking_weights_update,
    reviewer_application_decline,
    reviewer_application_submit,
    reviewer_applications_decline,
    reviewer_applications_promote,
)
from .credential_pdf import (
    credential_pdf_generate,
    credential_pdf_name,
    credential_pdf_render,
    credential_pdf_request,
    credentials_regenerate_for_holder,
)
from .issuance import (
    CREDENTIAL_TYPE_DEFAULTS,
    credential_expiry_for,
    credential_issue,
    credential_issue_for_pass,
    credential_number_next,
    credential_type_get,
)
from .openbadges import (
    credential_openbadge_prepare,
    issuer_key_ensure,
    issuer_key_rotate,
)
from .reconciliation import credentials_reconcile, passes_accounted_keys
from .renewal import (
    credential_education_add,
    credential_education_review,
    credential_reminders_send,
    credential_renew_by_education,
    credential_renewal_window_opens,
)
from .status import (
    PASS_WITHDRAWN,
    credential_pass_withdrawn,
    credential_registry_listing_set,
    credential_reinstate,
    credential_revoke,
    credential_status_set,
    credential_suspend,
    credential_warn,
)

__all__ = [
    "CREDENTIAL_TYPE_DEFAULTS",
    "PASS_WITHDRAWN",
    "CertificationError",
    "affiliation_record",
    "credential_education_add",
    "credential_education_hours",
    "credential_education_review",
    "credential_expiry_for",
    "credential_issue",
    "credential_issue_for_pass",
    "credential_number_next",
    "credential_openbadge_prepare",
    "credential_pass_withdrawn",
    "credential_pdf_generate",
    "credential_pdf_name",
    "credential_pdf_render",
    "credential_pdf_request",
    "credential_registry_listing_set",
    "credential_reinstate",
    "credential_reminders_send",
    "credential_renew_by_education",
    "credential_renewal_window_opens",
    "credential_revoke",
    "credential_status_set",
    "credential_suspend",
    "credential_type_get",
    "credential_valid_for",
    "credential_warn",
    "credentials_reconcile",
    "credentials_regenerate_for_holder",
    "issuer_key_ensure",
    "issuer_key_rotate",
    "passes_accounted_keys",
    "ranking_weights_update",
    "reviewer_application_decline",
    "reviewer_application_submit",
    "reviewer_applications_decline",
    "reviewer_applications_promote",
]
