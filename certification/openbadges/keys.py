"""The issuer's identity (`did:web` from SITE_URL) and its signing keys: from the environment in
production (`CCSO_OB_SIGNING_KEYS`, see keygen.py), otherwise the `IssuerSigningKey` rows this
installation generated on first use (`make run`, the demo, tests)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .keygen import keys_parse
from .multibase import private_key_from_multibase, public_key_from_multibase, public_key_multibase


class SigningKeysMissing(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class IssuerKey:
    key_id: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None
    current: bool

    @property
    def public_key_multibase(self) -> str:
        return public_key_multibase(self.public_key.public_bytes_raw())

    @property
    def verification_method(self) -> str:
        return f"{issuer_did()}#{self.key_id}"


def issuer_did() -> str:
    """`did:web:<host>` of SITE_URL, a port written `%3A<port>` (the DID document is served at
    `/.well-known/did.json`)."""
    parts = urlsplit(settings.SITE_URL)
    host = (parts.hostname or "localhost").lower()
    return f"did:web:{host}%3A{parts.port}" if parts.port else f"did:web:{host}"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _from_environment() -> list[IssuerKey]:
    specs = keys_parse(settings.OPENBADGES_SIGNING_KEYS, settings.OPENBADGES_SIGNING_KEY_CURRENT)
    return [
        IssuerKey(
            key_id=spec.key_id,
            public_key=Ed25519PublicKey.from_public_bytes(spec.public_key),
            private_key=Ed25519PrivateKey.from_private_bytes(spec.private_key)
            if spec.private_key else None,
            current=spec.current,
        )
        for spec in specs
    ]


def _from_database() -> list[IssuerKey]:
    from ..models import IssuerSigningKey
    from ..services.openbadges import issuer_key_ensure

    issuer_key_ensure()
    return [
        IssuerKey(
            key_id=row.key_id,
            public_key=Ed25519PublicKey.from_public_bytes(
                public_key_from_multibase(row.public_key_multibase)),
            private_key=Ed25519PrivateKey.from_private_bytes(
                private_key_from_multibase(row.private_key_multibase))
            if row.current and row.private_key_multibase else None,
            current=row.current,
        )
        for row in IssuerSigningKey.objects.order_by("created_at", "id")
    ]


def issuer_keys() -> list[IssuerKey]:
    """Every key the issuer publishes (current and retired), oldest first."""
    if settings.OPENBADGES_SIGNING_KEYS:
        return _from_environment()
    if settings.OPENBADGES_GENERATE_KEYS:
        return _from_database()
    raise SigningKeysMissing("Badge signing keys are not configured: set CCSO_OB_SIGNING_KEYS "
                             "(README, 'Badge signing keys').")


def issuer_key_current() -> IssuerKey:
    return next(key for key in issuer_keys() if key.current)


def issuer_key_for(verification_method: str) -> IssuerKey | None:
    """The published key a proof names (`did:web:…#<key id>`), or None."""
    did, _, key_id = verification_method.partition("#")
    if did != issuer_did():
        return None
    return next((key for key in issuer_keys() if key.key_id == key_id), None)
