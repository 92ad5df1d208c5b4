"""Affiliations between organisations (the conflict-of-interest rule reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.services import audit_record

from ..errors import CertificationError
from ..models import AffiliationKind, OrganisationAffiliation


def affiliation_record(*, organisation: Organisation, kind: str, other: Organisation,
                       actor: User | None, note: str = "") -> OrganisationAffiliation:
    if organisation.pk == other.pk:
        raise CertificationError(_("An organisation cannot be affiliated with itself."))
    if kind not in AffiliationKind.values:
        raise CertificationError(_("Unknown relation."))
    affiliation, created = OrganisationAffiliation.objects.get_or_create(
        organisation=organisation, kind=kind, other=other, defaults={"note": note})
    if created:
        audit_record(actor=actor, action="certification.affiliation.recorded",
                     target=affiliation, data={"kind": kind})
    return affiliation
