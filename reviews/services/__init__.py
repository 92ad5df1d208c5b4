"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
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
from .certificates import (
    CERTIFICATE_ACTIONS,
    project_certificate_issue,
    project_certificate_status_set,
)
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline

__all__ = [
    "CERTIFICATE_ACTIONS",
    "FEE_KIND",
    "ApplicationData",
    "DrawCheck",
    "ReviewError",
    "application_create",
    "application_missing",
    "application_resubmit",
    "application_update",
    "draw_run",
    "draw_verify",
    "fee_amount",
    "fee_checkout_start",
    "fee_paid",
    "fee_sync",
    "member_add",
    "member_remove",
    "organisation_register",
    "profile_save",
    "project_accept",
    "project_certificate_issue",
    "project_certificate_status_set",
    "project_return",
    "site_add",
    "site_remove",
    "team_member_decline",
]
