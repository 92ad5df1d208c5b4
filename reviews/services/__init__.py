"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
from .agreement import agreement_accept, agreement_text_digest
from .applications import (
    FEE_KIND,
    ApplicationData,
    application_create,
    application_missing,
    application_resubmit,
    application_update,
    fee_amount,
    fee_checkout_start,
    fee_paid,
    fee_sync,
    member_add,
    member_remove,
    organisation_register,
    profile_save,
    project_accept,
    project_return,
    site_add,
    site_remove,
)
from .benchmark import benchmark_consent_set
from .certificates import (
    CERTIFICATE_ACTIONS,
    project_certificate_issue,
    project_certificate_status_set,
)
from .decision import project_decide
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline, vacancy_fill
from .evidence import (
    evidence_page_view,
    evidence_pages_render,
    evidence_request_create,
    evidence_upload,
    evidence_version_add,
    watermark_text,
)
from .fees import RECORD_FEES_PERM, daily_fee_current, fee_record
from .judgement import final_judgement_record, judgement_record, project_consolidate
from .kpi import (
    kpi_draw_due,
    kpi_draw_verify,
    kpi_month_draw,
    kpi_months_save,
    kpi_source_upload,
    kpi_template_xlsx,
    kpi_workbook_upload,
)
from .onsite import (
    onsite_interview_capture,
    onsite_note_capture,
    onsite_photo_capture,
    signature_from_data_url,
)

__all__ = [
    "CERTIFICATE_ACTIONS",
    "FEE_KIND",
    "RECORD_FEES_PERM",
    "ApplicationData",
    "DrawCheck",
    "ReviewError",
    "agreement_accept",
    "agreement_text_digest",
    "application_create",
    "application_missing",
    "application_resubmit",
    "application_update",
    "benchmark_consent_set",
    "daily_fee_current",
    "draw_run",
    "draw_verify",
    "evidence_page_view",
    "evidence_pages_render",
    "evidence_request_create",
    "evidence_upload",
    "evidence_version_add",
    "fee_amount",
    "fee_checkout_start",
    "fee_paid",
    "fee_record",
    "fee_sync",
    "final_judgement_record",
    "judgement_record",
    "kpi_draw_due",
    "kpi_draw_verify",
    "kpi_month_draw",
    "kpi_months_save",
    "kpi_source_upload",
    "kpi_template_xlsx",
    "kpi_workbook_upload",
    "member_add",
    "member_remove",
    "onsite_interview_capture",
    "onsite_note_capture",
    "onsite_photo_capture",
    "organisation_register",
    "profile_save",
    "project_accept",
    "project_certificate_issue",
    "project_certificate_status_set",
    "project_consolidate",
    "project_decide",
    "project_return",
    "signature_from_data_url",
    "site_add",
    "site_remove",
    "team_member_decline",
    "vacancy_fill",
    "watermark_text",
]
