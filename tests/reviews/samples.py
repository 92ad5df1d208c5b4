"""Evidence files made in the test: PDFs (Pillow writes them), PNGs, JPEGs, and the files an
applicant must not get through (an executable, HTML, a decompression bomb)."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


def page_image(number: int, *, size: tuple[int, int] = (620, 877)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, size[0] - 40, 160), fill=COLOURS[number % len(COLOURS)])
    draw.text((60, 200), f"Sample evidence, page {number}", fill="black")
    return image


def pdf_bytes(pages: int = 2) -> bytes:
    images = [page_image(n) for n in range(1, pages + 1)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:],
                   resolution=75)
    return buffer.getvalue()


def image_bytes(format: str = "PNG", size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    page_image(1, size=size).save(buffer, format=format)
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG header declaring width × height pixels, with almost no data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>fetch('/steal')</script></html>"


def signature_png(*, size: tuple[int, int] = (600, 240), blank: bool = False) -> bytes:
    """A signature as a phone's canvas gives it: a stroke on white (none when `blank`)."""
    image = Image.new("RGBA", size, (255, 255, 255, 255))
    if not blank:
        ImageDraw.Draw(image).line((20, 200, 200, 40, 380, 180), fill=(16, 36, 62, 255),
                                   width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
