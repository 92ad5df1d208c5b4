"""Writes for Open Badges: a credential's status-list index and identity salt (allocated once),
and this installation's generated signing keys (first use and rotation). Production keys come
from the environment and are rotated there (README, "Badge signing keys")."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import CertificationError
from ..models import Credential, IssuerSigningKey
from ..openbadges.bitstring import LIST_BITS
from ..openbadges.keygen import key_new

_ALLOCATION_TRIES = 50


def credential_openbadge_prepare(*, credential: Credential) -> Credential:
    """Give `credential` its status-list index (random, unique, never changed: the spec asks
    for indexes that do not reveal the order of issue) and its identity salt, if it has none."""
    if credential.status_list_index is not None and credential.identity_salt:
        return credential
    for _attempt in range(_ALLOCATION_TRIES):
        index = credential.status_list_index
        if index is None:
            index = secrets.randbelow(LIST_BITS)
        salt = credential.identity_salt or secrets.token_hex(16)
        try:
            with transaction.atomic():
                updated = Credential.objects.filter(pk=credential.pk).filter(
                    status_list_index__isnull=True).update(status_list_index=index,
                                                           identity_salt=salt)
                if not updated:
                    Credential.objects.filter(pk=credential.pk, identity_salt="").update(
                        identity_salt=salt)
        except IntegrityError:
            continue  # the index is taken: draw another
        credential.refresh_from_db(fields=["status_list_index", "identity_salt"])
        return credential
    raise CertificationError("The status list has no free place left for this credential.")


def issuer_key_ensure(*, now: dt.datetime | None = None) -> IssuerSigningKey:
    """The current generated key, created on first use."""
    existing = IssuerSigningKey.objects.filter(current=True).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    private, public = key_new()
    try:
        with transaction.atomic():
            return IssuerSigningKey.objects.create(
                key_id=f"key-{now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}",
                private_key_multibase=private, public_key_multibase=public,
                current=True, created_at=now)
    except IntegrityError:  # another process created it first
        return IssuerSigningKey.objects.get(current=True)


@transaction.atomic
def issuer_key_rotate(*, now: dt.datetime | None = None) -> IssuerSigningKey:
    """A new generated key signs from now on; the old one keeps only its public half, still
    published so that badges it signed verify."""
    now = now or timezone.now()
    for old in IssuerSigningKey.objects.select_for_update().filter(current=True):
        old.current = False
        old.private_key_multibase = ""
        old.save(update_fields=["current", "private_key_multibase"])
    private, public = key_new()
    return IssuerSigningKey.objects.create(
        key_id=f"key-{now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}",
        private_key_multibase=private, public_key_multibase=public, current=True,
        created_at=now)
