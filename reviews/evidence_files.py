"""Evidence files as bytes and images, no database: what an upload really is (by its content,
within bounds checked before it is parsed), its pages rendered to plain images, and a viewer's
watermark laid on a rendered page.

Rasterising is what keeps active content (scripts, forms, links, attachments, an HTML file that
calls itself a PDF) from ever reaching a viewer: viewers get pixels, never the file."""

from __future__ import annotations

import hashlib
import io
import logging
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

import pypdfium2 as pdfium
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .conf import setting
from .errors import ReviewError

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
# What each accepted format starts with; the name's extension proves nothing.
SIGNATURES = {PDF: b"%PDF-", PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff"}
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
PIL_FORMATS = {PNG: "PNG", JPEG: "JPEG"}
# The served page: WebP encodes a page in a fraction of PNG's time and bytes.
PAGE_IMAGE_TYPE = "image/webp"

# PDFium is not thread-safe: one document is opened at a time in a process.
_pdfium_lock = threading.Lock()


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    pages: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _refuse(message: str) -> ReviewError:
    return ReviewError(message)


def _content_type_of(head: bytes) -> str:
    for content_type, signature in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise _refuse(_("This file is not a PDF, PNG or JPEG (its content was checked, not its "
                    "name)."))


def _pdf_pages(content: bytes) -> int:
    limit = setting("REVIEWS_EVIDENCE_MAX_PAGES")
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(content)
        except pdfium.PdfiumError as error:
            raise _refuse(_("This PDF cannot be opened: it is damaged or protected by a "
                            "password.")) from error
        try:
            # The page count comes from the document's page tree; no page is loaded before it
            # is known to be within the limit.
            pages = len(document)
            if pages > limit:
                raise _refuse(_("This PDF has %(pages)s pages; the limit is %(limit)s. Split "
                                "it into smaller files.") % {"pages": pages, "limit": limit})
            if pages == 0:
                raise _refuse(_("This PDF has no pages."))
            document[0].close()  # the first page really opens
        finally:
            document.close()
    return pages


def _image_check(content: bytes, content_type: str) -> None:
    limit = setting("REVIEWS_EVIDENCE_MAX_PIXELS")
    too_large = _("This image declares %(width)s × %(height)s pixels; the limit is %(limit)s "
                  "million pixels.")
    try:
        # Opening reads the header only; nothing is decoded until the size is known to be
        # within the limit (a decompression bomb declares far more pixels than its bytes).
        with Image.open(io.BytesIO(content), formats=[PIL_FORMATS[content_type]]) as image:
            width, height = image.size
            if width * height > limit:
                raise _refuse(too_large % {"width": width, "height": height,
                                           "limit": limit // 1_000_000})
            image.load()
    except Image.DecompressionBombError as error:
        raise _refuse(_("This image declares far more pixels than a photo or a scan has; it "
                        "was refused unopened.")) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _refuse(_("This image cannot be opened: it is damaged or not really a PNG or "
                        "JPEG.")) from error


def evidence_check(upload: IO[bytes], *, size: int | None) -> CheckedFile:
    """What `upload` really is, or a ReviewError that says why it is refused: a PDF, PNG or
    JPEG by content, at most REVIEWS_EVIDENCE_MAX_BYTES (checked before the file is read),
    at most REVIEWS_EVIDENCE_MAX_PAGES pages (from the page tree, before any page is loaded)
    or REVIEWS_EVIDENCE_MAX_PIXELS pixels (from the header, before decoding), and opening."""
    max_bytes = setting("REVIEWS_EVIDENCE_MAX_BYTES")
    if size is not None and size > max_bytes:
        raise _refuse(_("The file is %(size)s; the limit is %(limit)s.")
                      % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)})
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:  # a size the client did not declare
        raise _refuse(_("The file is larger than %(limit)s.")
                      % {"limit": filesizeformat(max_bytes)})
    content_type = _content_type_of(content[:16])
    if content_type == PDF:
        pages = _pdf_pages(content)
    else:
        _image_check(content, content_type)
        pages = 1
    return CheckedFile(content=content, content_type=content_type, pages=pages,
                       sha256=hashlib.sha256(content).hexdigest())


def photo_check(upload: IO[bytes], *, size: int | None) -> CheckedFile:
    """An on-site photo: a JPEG or PNG by content, within the evidence images' bounds
    (`evidence_check`); a PDF is refused."""
    checked = evidence_check(upload, size=size)
    if checked.content_type not in PIL_FORMATS:
        raise _refuse(_("A photo is a JPEG or PNG image."))
    return checked


def signature_check(content: bytes) -> bytes:
    """An interviewee's signature drawn on screen: a PNG (by content) of at most
    REVIEWS_SIGNATURE_MAX_BYTES and REVIEWS_SIGNATURE_MAX_PIXELS (from its header, before it is
    decoded), which decodes and is not blank. Returns it re-encoded, so that nothing but its
    pixels is kept."""
    max_bytes = setting("REVIEWS_SIGNATURE_MAX_BYTES")
    if len(content) > max_bytes:
        raise _refuse(_("The signature is larger than %(limit)s.")
                      % {"limit": filesizeformat(max_bytes)})
    if not content.startswith(SIGNATURES[PNG]):
        raise _refuse(_("The signature must be a PNG image."))
    limit = setting("REVIEWS_SIGNATURE_MAX_PIXELS")
    try:
        with Image.open(io.BytesIO(content), formats=["PNG"]) as image:
            width, height = image.size
            if width * height > limit:
                raise _refuse(_("The signature image is %(width)s × %(height)s pixels; the "
                                "limit is %(limit)s pixels.")
                              % {"width": width, "height": height, "limit": limit})
            flat = _flattened(image)
    except Image.DecompressionBombError as error:
        raise _refuse(_("The signature image declares far too many pixels.")) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _refuse(_("The signature cannot be opened: it is not a PNG image.")) from error
    low, high = flat.convert("L").getextrema()
    if low == high:
        raise _refuse(_("The signature is empty: ask the interviewee to sign on the screen."))
    return png_bytes(flat)


# --------------------------------------------------------------------------- rendering


def _pdf_scale(width_pt: float, height_pt: float) -> float:
    """Pages render REVIEWS_EVIDENCE_PAGE_WIDTH wide, fewer pixels for an absurd shape."""
    scale = setting("REVIEWS_EVIDENCE_PAGE_WIDTH") / max(width_pt, 1.0)
    max_pixels = setting("REVIEWS_EVIDENCE_MAX_PIXELS")
    if width_pt * height_pt * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / max(width_pt * height_pt, 1.0))
    return scale


def _flattened(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def pages_render(content: bytes, content_type: str, *,
                 pages: list[int] | None = None) -> Iterator[tuple[int, Image.Image]]:
    """The base render of each page (1-based numbers; all by default): plain RGB pixels, no
    metadata, REVIEWS_EVIDENCE_PAGE_WIDTH wide at most."""
    width = setting("REVIEWS_EVIDENCE_PAGE_WIDTH")
    if content_type != PDF:
        with Image.open(io.BytesIO(content), formats=[PIL_FORMATS[content_type]]) as image:
            upright = _flattened(ImageOps.exif_transpose(image))
        if upright.width > width:
            upright = upright.resize((width, round(upright.height * width / upright.width)),
                                     Image.Resampling.LANCZOS)
        yield 1, upright
        return
    # The lock is held per page, not across the yield: a page viewed meanwhile in another
    # thread waits for one page, not for the whole document.
    with _pdfium_lock:
        document = pdfium.PdfDocument(content)
        numbers = pages or range(1, len(document) + 1)
    try:
        for number in numbers:
            with _pdfium_lock:
                page = document[number - 1]
                try:
                    bitmap = page.render(scale=_pdf_scale(*page.get_size()),
                                         may_draw_forms=False)
                    image = bitmap.to_pil().convert("RGB")
                finally:
                    page.close()
            yield number, image
    finally:
        with _pdfium_lock:
            document.close()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the watermark


WATERMARK_COLOUR = (190, 30, 30)
WATERMARK_OPACITY = 80  # of 255: the page stays readable under it
# Fonts with Chinese glyphs (setup installs Noto CJK for WeasyPrint); viewers' names are Chinese.
_FONT_DIRECTORIES = ("/usr/share/fonts", "/usr/local/share/fonts", "/System/Library/Fonts")
_FONT_PATTERNS = ("NotoSansCJK-Regular.ttc", "NotoSansCJK*.tt?", "NotoSerifCJK*.tt?",
                  "*CJK*.tt?", "PingFang.ttc")


@lru_cache(maxsize=1)
def _cjk_font_path() -> str | None:
    for directory in map(Path, _FONT_DIRECTORIES):
        if not directory.is_dir():
            continue
        for pattern in _FONT_PATTERNS:
            found = sorted(directory.rglob(pattern))
            if found:
                return str(found[0])
    logger.warning("evidence watermark: no CJK font found; Chinese names show as boxes")
    return None


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _cjk_font_path()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _mask(text: str, *, width: int) -> Image.Image:
    """The text once, rotated, as a mask (its opacity) a fraction of the page wide."""
    font = _font(max(14, width // 45))
    left, top, right, bottom = (int(edge) for edge in font.getbbox(text))
    pad = (bottom - top) * 2
    mask = Image.new("L", (right - left + pad * 2, bottom - top + pad * 2), 0)
    ImageDraw.Draw(mask).text((pad - left, pad - top), text, font=font, fill=WATERMARK_OPACITY)
    return mask.rotate(28, expand=True, resample=Image.Resampling.BICUBIC)


def watermark_lay(base: Image.Image, *, text: str) -> bytes:
    """`base` with `text` tiled across it, as the served image (WebP): the base is rendered
    once per page, this runs per view."""
    mask = _mask(text, width=base.width)
    marked = base.copy()
    for row, y in enumerate(range(-mask.height // 2, base.height, mask.height)):
        shift = (mask.width // 2) * (row % 2)
        for x in range(-shift, base.width, mask.width):
            marked.paste(WATERMARK_COLOUR, (x, y, x + mask.width, y + mask.height), mask)
    buffer = io.BytesIO()
    marked.save(buffer, format="WEBP", quality=80, method=0)
    return buffer.getvalue()
