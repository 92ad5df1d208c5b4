"""Baked badges: a PNG carrying the signed credential in an `iTXt` chunk with the keyword
`openbadgecredential` (Open Badges 3.0 §5.3). Reading one walks the chunks only: pixels are
never decoded, a compressed chunk is inflated with a bound, and an image whose header declares
more pixels than `MAX_PIXELS` is refused as a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 4096 * 4096
MAX_TEXT_BYTES = 256 * 1024
MAX_CHUNKS = 1000


class BakingError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@lru_cache(maxsize=1)
def badge_image() -> bytes:
    """The badge artwork: a seal in the certificate's colours (drawn, so nothing to ship)."""
    size = 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(178, 34, 34, 255))
    draw.ellipse((30, 30, size - 30, size - 30), outline=(212, 175, 55, 255), width=10)
    draw.ellipse((70, 70, size - 70, size - 70), outline=(255, 255, 255, 200), width=4)
    star = [(200, 110), (222, 172), (288, 172), (234, 210), (254, 274), (200, 236),
            (146, 274), (166, 210), (112, 172), (178, 172)]
    draw.polygon(star, fill=(212, 175, 55, 255))
    draw.text((size // 2, 318), "CCSO", fill=(255, 255, 255, 255), anchor="mm",
              font_size=44)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_bake(credential_json: str) -> bytes:
    """The badge image with `credential_json` in an uncompressed iTXt chunk."""
    info = PngInfo()
    info.add_itxt(KEYWORD.decode("ascii"), credential_json, lang="", tkey="", zip=False)
    out = io.BytesIO()
    with Image.open(io.BytesIO(badge_image())) as image:
        image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error as error:
        raise BakingError(_("The badge's credential chunk is damaged."),
                          code="png_damaged") from error
    if len(text) > MAX_TEXT_BYTES:
        raise BakingError(_("The credential inside the image is larger than the limit."),
                          code="png_text_too_large")
    return text


def png_unbake(data: bytes) -> str:
    """The credential JSON baked into `data`; BakingError with a reason otherwise."""
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError(_("The file is not a PNG image."), code="not_png")
    position, found, chunks = len(PNG_SIGNATURE), None, 0
    while True:
        if position + 8 > len(data):
            raise BakingError(_("The PNG image is cut short."), code="png_damaged")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body_start, body_end = position + 8, position + 8 + length
        if body_end + 4 > len(data):
            raise BakingError(_("The PNG image is cut short."), code="png_damaged")
        body = data[body_start:body_end]
        (crc,) = struct.unpack(">I", data[body_end:body_end + 4])
        if zlib.crc32(kind + body) != crc:
            raise BakingError(_("The PNG image is damaged (a checksum does not match)."),
                              code="png_damaged")
        chunks += 1
        if chunks == 1:
            if kind != b"IHDR" or length != 13:
                raise BakingError(_("The PNG image has no valid header."), code="png_damaged")
            width, height = struct.unpack(">II", body[:8])
            if width * height > MAX_PIXELS:
                raise BakingError(
                    _("The image declares %(pixels)s pixels, more than a badge may have.")
                    % {"pixels": f"{width}×{height}"}, code="png_too_large")
        elif chunks > MAX_CHUNKS:
            raise BakingError(_("The PNG image has too many chunks."), code="png_damaged")
        if kind == b"iTXt" and body.startswith(KEYWORD + b"\0"):
            if found is not None:
                raise BakingError(_("The image carries more than one credential."),
                                  code="png_two_credentials")
            found = _itxt_text(body[len(KEYWORD) + 1:])
        if kind == b"IEND":
            break
        position = body_end + 4
    if found is None:
        raise BakingError(_("The image carries no Open Badges credential (no iTXt chunk "
                            "“openbadgecredential”)."), code="png_no_credential")
    return found


def _itxt_text(rest: bytes) -> str:
    if len(rest) < 2:
        raise BakingError(_("The badge's credential chunk is damaged."), code="png_damaged")
    compressed, method, tail = rest[0], rest[1], rest[2:]
    _language, sep1, tail = tail.partition(b"\0")
    _translated, sep2, text = tail.partition(b"\0")
    if not (sep1 and sep2) or compressed not in (0, 1) or (compressed and method != 0):
        raise BakingError(_("The badge's credential chunk is damaged."), code="png_damaged")
    raw = _inflate(text) if compressed else text
    if len(raw) > MAX_TEXT_BYTES:
        raise BakingError(_("The credential inside the image is larger than the limit."),
                          code="png_text_too_large")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError(_("The badge's credential is not UTF-8 text."),
                          code="png_damaged") from error
