#!/usr/bin/env python
"""Benchmark: the standard's PDF, first download after a publish.

    .venv/bin/python bench/standard_pdf.py

On a scratch SQLite database with Celery eager (what a worker does, in this process), it loads
the sample standard (9 modules x 20 items) as `make run` does; the publish renders the PDF in
each language (timed: the worker's cost). Then it downloads `/standard/yd-t-2823-2015/pdf/` with
the test client and reports the time to the first byte and to the last, per language, and how
long one render takes in the request (what the first reader waited before).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="ccso-bench-pdf-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'db.sqlite3'}"
    os.environ["CCSO_TEST_MEDIA_ROOT"] = str(scratch / "media")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.CMS_STANDARD_PDF_ON_PUBLISH = True
    call_command("migrate", verbosity=0)
    from cms import demo
    from cms.models import StandardPdf, StandardVersionPage
    from cms.services import standard_pdf_render

    started = time.monotonic()
    demo.load(sys.stdout)
    print(f"\npublish (import + both PDFs rendered on commit): {time.monotonic() - started:.1f} s")
    for pdf in StandardPdf.objects.order_by("language"):
        print(f"  render {pdf.language}: {pdf.render_seconds} s, {pdf.file.size // 1024} KB")
    client = Client()
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        started = time.monotonic()
        response = client.get("/standard/yd-t-2823-2015/pdf/")
        chunks = iter(response.streaming_content)
        next(chunks)
        first = time.monotonic() - started
        for _chunk in chunks:
            pass
        last = time.monotonic() - started
        print(f"download {language}: {response.status_code}, first byte {first * 1000:.0f} ms, "
              f"last byte {last * 1000:.0f} ms")
    version = StandardVersionPage.objects.get()
    started = time.monotonic()
    standard_pdf_render(version=version, language="zh-hans")
    print(f"one render in the request (the wait before): {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
