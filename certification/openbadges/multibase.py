"""Multibase base58btc (`z…`) and base64url (`u…`), and Ed25519 keys as Multikey values."""

from __future__ import annotations

import base64

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
# Multicodec prefixes (varint): ed25519-pub 0xed, ed25519-priv 0x1300.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


class MultibaseError(ValueError):
    pass


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise MultibaseError("not base58btc")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_z_decode(value: str) -> bytes:
    if not value.startswith("z"):
        raise MultibaseError("not multibase base58btc (no z prefix)")
    return base58btc_decode(value[1:])


def multibase_u_encode(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def multibase_u_decode(value: str) -> bytes:
    if not value.startswith("u"):
        raise MultibaseError("not multibase base64url (no u prefix)")
    body = value[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as error:
        raise MultibaseError("not base64url") from error


def public_key_multibase(raw: bytes) -> str:
    """An Ed25519 public key (32 bytes) as a Multikey `publicKeyMultibase` (z6Mk…)."""
    return "z" + base58btc_encode(ED25519_PUB_PREFIX + raw)


def public_key_from_multibase(value: str) -> bytes:
    data = multibase_z_decode(value)
    if not data.startswith(ED25519_PUB_PREFIX) or len(data) != 34:
        raise MultibaseError("not an Ed25519 public key")
    return data[2:]


def private_key_from_multibase(value: str) -> bytes:
    data = multibase_z_decode(value)
    if not data.startswith(ED25519_PRIV_PREFIX) or len(data) != 34:
        raise MultibaseError("not an Ed25519 private key")
    return data[2:]
