"""Bitstring Status List v1.0 lists: 131,072 bits (16 KB), GZIP-compressed, multibase
base64url (`u…`). Bit 0 is the most significant bit of the first byte."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable

from .multibase import multibase_u_decode, multibase_u_encode

LIST_BITS = 131_072
MAX_DECOMPRESSED = 16 * 1024 * 1024  # what a list read back may unpack to


class BitstringError(ValueError):
    pass


def encode_list(set_indexes: Iterable[int], *, size: int = LIST_BITS) -> str:
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise BitstringError(f"index {index} outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same encodedList.
    return multibase_u_encode(gzip.compress(bytes(bits), mtime=0))


def decode_list(encoded: str) -> bytes:
    compressed = multibase_u_decode(encoded)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            data = stream.read(MAX_DECOMPRESSED + 1)
    except (OSError, EOFError) as error:
        raise BitstringError("not a GZIP-compressed list") from error
    if len(data) > MAX_DECOMPRESSED:
        raise BitstringError("list too large")
    return data


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise BitstringError(f"index {index} outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
