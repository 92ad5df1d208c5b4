"""The badge signing keys' text format, readable without Django (the production settings check
it at start, and `python -m certification.openbadges.keygen <id>` prints a new key).

`CCSO_OB_SIGNING_KEYS` is a comma-separated list of `<key id>=<key>` entries: the key is an
Ed25519 private key as a Multikey `privateKeyMultibase` (`z3u2…`), or, for a retired key whose
private half is destroyed, only its public key (`z6Mk…`). `CCSO_OB_SIGNING_KEY_CURRENT` names the
key that signs (default: the first entry with a private key). Every key is published in the
issuer's DID document, so badges signed by a retired key still verify."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .multibase import (
    ED25519_PRIV_PREFIX,
    MultibaseError,
    base58btc_encode,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_multibase,
)

KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class KeySpecError(ValueError):
    pass


@dataclass(frozen=True)
class KeySpec:
    key_id: str
    public_key: bytes
    private_key: bytes | None
    current: bool


def private_key_multibase(seed: bytes) -> str:
    return "z" + base58btc_encode(ED25519_PRIV_PREFIX + seed)


def key_new() -> tuple[str, str]:
    """A new key: (privateKeyMultibase, publicKeyMultibase)."""
    private = Ed25519PrivateKey.generate()
    return (private_key_multibase(private.private_bytes_raw()),
            public_key_multibase(private.public_key().public_bytes_raw()))


def keys_parse(text: str, current: str = "") -> list[KeySpec]:
    """The keys of `CCSO_OB_SIGNING_KEYS` (see the module's docstring); KeySpecError if any entry
    is malformed, an id repeats, or no key can sign."""
    specs: list[tuple[str, bytes, bytes | None]] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, sep, value = entry.partition("=")
        key_id, value = key_id.strip(), value.strip()
        if not sep or not KEY_ID.match(key_id):
            raise KeySpecError(f"badge signing key entry {key_id!r}: expected <id>=<key>, the id "
                               "made of letters, digits, '.', '_' or '-'")
        if any(key_id == seen for seen, _, _ in specs):
            raise KeySpecError(f"badge signing key id {key_id!r} appears twice")
        try:
            if value.startswith("z6Mk"):
                specs.append((key_id, public_key_from_multibase(value), None))
            else:
                seed = private_key_from_multibase(value)
                public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
                specs.append((key_id, public, seed))
        except MultibaseError as error:
            raise KeySpecError(f"badge signing key {key_id!r}: {error}") from error
    signing = [key_id for key_id, _, private in specs if private is not None]
    if not signing:
        raise KeySpecError("no badge signing key with a private key is configured")
    chosen = current or signing[0]
    if chosen not in signing:
        raise KeySpecError(f"the current badge signing key {chosen!r} is not among the keys "
                           "with a private key")
    return [KeySpec(key_id, public, private, key_id == chosen)
            for key_id, public, private in specs]


if __name__ == "__main__":  # pragma: no cover - a command-line helper
    name = sys.argv[1] if len(sys.argv) > 1 else "key-1"
    private, public = key_new()
    print(f"{name}={private}")
    print(f"# public key: {public}", file=sys.stderr)
