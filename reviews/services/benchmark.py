"""An organisation's consent to be named in the KPI benchmark (its figures count either way,
anonymously without it)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from core.services import audit_record

from ..errors import ReviewError
from ..models import OrganisationProfile
from .applications import _admin_check


@transaction.atomic
def benchmark_consent_set(*, organisation: Organisation, by: User,
                          named: bool) -> OrganisationProfile:
    """The organisation's admin agrees (or no longer agrees) that its name is shown beside its
    figures in the benchmark. Audited."""
    _admin_check(organisation, by)
    profile = OrganisationProfile.objects.select_for_update().filter(
        organisation=organisation).first()
    if profile is None:
        raise ReviewError(_("Fill in the review profile (its industry) first."),
                          code="no_profile")
    if profile.benchmark_named != named:
        profile.benchmark_named = named
        profile.save(update_fields=["benchmark_named", "updated_at"])
        audit_record(actor=by, action="reviews.organisation.benchmark_consent",
                     target=organisation, data={"named": named})
    return profile
