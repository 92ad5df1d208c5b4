#!/usr/bin/env python
"""Benchmark: a reviewer opening a 100-page PDF of evidence.

    .venv/bin/python bench/evidence_viewer.py [--pages 100] [--runs 20] [--object-store]

On a scratch SQLite database with the test settings (evidence storage on a scratch folder,
Celery eager), it makes a scanned-looking PDF of `--pages` A4 pages (Pillow, 150 dpi, text and
boxes on each), and a project whose team is drawn. Then, through Django's test client (the
whole request: session, permission, storage, watermark, WebP, the view logged):

- cold: the applicant uploads it and, before the render task has run (the upload's
  transaction is still open, so the task queued on commit waits), the reviewer opens the viewer
  and its first page: page 1 is rendered alone, kept, and watermarked;
- the render task at upload: every other page rendered once into the storage;
- warm: the viewer and page 1 `--runs` times, then every page once, as a reviewer paging through.

It reports each step's time; the target is the first page within 2 s. With `--object-store`
the evidence storage is a private bucket on moto's S3 server on localhost (as the tests start
it), so every page read and write is an S3 request.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_make(pages: int) -> bytes:
    from PIL import Image, ImageDraw

    images = []
    for number in range(1, pages + 1):
        image = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((100, 100, 1140, 220), outline="black", width=3)
        draw.text((120, 140), f"Sample evidence - training records - page {number}",
                  fill="black")
        for line in range(40):
            y = 300 + line * 34
            draw.line((120, y, 120 + (line * 97 + number * 31) % 900 + 100, y), fill="#444",
                      width=2)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:],
                   resolution=150, quality=70)
    return buffer.getvalue()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--object-store", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.object_store:
        from moto.server import ThreadedMotoServer

        from tests.storage import ObjectStore, free_port

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        port = free_port()
        ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
        store = ObjectStore(endpoint_url=f"http://127.0.0.1:{port}")
        os.environ.update(store.environ(store.bucket_create()))
    scratch = Path(tempfile.mkdtemp(prefix="ccso-bench-evidence-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'db.sqlite3'}"
    os.environ["CCSO_TEST_EVIDENCE_ROOT"] = str(scratch / "evidence")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Organisation, User
    from cms.demo import home_page_ensure
    from cms.importing import standard_import
    from cms.models import StandardVersionPage
    from cms.selectors import version_items
    from reviews import services
    from reviews.models import EvidencePageView, ProjectState, ReviewProject
    from tests.cms.conftest import standard_data
    from tests.reviews.conftest import team_make

    call_command("migrate", verbosity=0)
    home_page_ensure()
    data = standard_data(modules=2, items=1)
    standard_import(data=data)
    version = StandardVersionPage.objects.get(code=data["standard"]["code"])
    organisation = Organisation.objects.create(name="基准呼叫中心")
    project = ReviewProject.objects.create(organisation=organisation, standard_version=version,
                                           state=ProjectState.TEAM_DRAWN)
    applicant = User.objects.create_user(email="applicant@example.com", name_zh="赵协调",
                                         organisation=organisation)
    lead = User.objects.create_user(email="lead@example.com", name_zh="王组长")
    team_make(project, lead=lead)
    item = version_items(version=version).first()
    assert item is not None

    started = time.monotonic()
    content = pdf_make(args.pages)
    print(f"evidence storage: {'object store (moto)' if args.object_store else 'local folder'}")
    print(f"PDF: {args.pages} pages, {len(content) / 1e6:.1f} MB, made in "
          f"{time.monotonic() - started:.1f} s")
    client = Client()
    client.force_login(lead)
    reverse("reviews:mine")  # a web process has loaded its URLconf before its first request

    def first_page(version_pk: int) -> tuple[float, float]:
        started = time.monotonic()
        viewer = client.get(reverse("reviews:evidence_viewer", args=[version_pk]))
        html = time.monotonic() - started
        page = client.get(reverse("reviews:evidence_page", args=[version_pk, 1]))
        assert viewer.status_code == page.status_code == 200, (viewer, page)
        return html, time.monotonic() - started

    with transaction.atomic():
        started = time.monotonic()
        uploaded = services.evidence_upload(project=project, item=item, kind="documents",
                                            upload=io.BytesIO(content), name="records.pdf",
                                            size=len(content), by=applicant)
        checked = time.monotonic() - started
        html, total = first_page(uploaded.pk)
        print(f"upload (content check, page count, original stored): {_ms(checked)}")
        print(f"cold, before the render task: viewer page {_ms(html)}, viewer + first page "
              f"{_ms(total)} (page 1 rendered alone)")
        started = time.monotonic()
    # The commit runs the render task (Celery eager): the other pages, once.
    print(f"render task at upload: {args.pages - 1} pages in {time.monotonic() - started:.1f} s "
          f"({(time.monotonic() - started) / max(args.pages - 1, 1) * 1000:.0f} ms a page)")

    firsts = [first_page(uploaded.pk)[1] for _run in range(args.runs)]
    print(f"warm: viewer + first page, {args.runs} runs: median {_ms(statistics.median(firsts))}"
          f", slowest {_ms(max(firsts))}")
    pages = []
    for number in range(1, args.pages + 1):
        started = time.monotonic()
        response = client.get(reverse("reviews:evidence_page", args=[uploaded.pk, number]))
        pages.append(time.monotonic() - started)
        assert response.status_code == 200
    size = len(response.content)
    print(f"warm: each of the {args.pages} pages once: median {_ms(statistics.median(pages))}, "
          f"p95 {_ms(sorted(pages)[int(len(pages) * 0.95) - 1])}, slowest {_ms(max(pages))}; "
          f"last page {size / 1000:.0f} kB WebP")
    print(f"page views logged: {EvidencePageView.objects.count()}")


if __name__ == "__main__":
    main()
