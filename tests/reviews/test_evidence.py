"""The applicant's evidence per item: content checks and bounds, what each item still misses,
the freeze at document review, requests for more evidence that reopen named items only, and
versions that keep the old ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail

from core.models import AuditEntry
from reviews import selectors, services
from reviews.evidence_files import evidence_check
from reviews.models import EvidenceVersion, ProjectState, RenderState
from reviews.storage import evidence_storage

from . import samples
from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db


def _check(content: bytes):
    return evidence_check(io.BytesIO(content), size=len(content))


def _refusal(content: bytes) -> str:
    with pytest.raises(services.ReviewError) as caught:
        _check(content)
    return " ".join(caught.value.messages)


# --------------------------------------------------------------------------- content checks


def test_a_pdf_and_the_two_image_formats_are_recognised_by_their_content():
    pdf = _check(samples.pdf_bytes(pages=3))
    assert (pdf.content_type, pdf.pages, pdf.extension) == ("application/pdf", 3, "pdf")
    assert _check(samples.image_bytes("PNG")).content_type == "image/png"
    jpeg = _check(samples.image_bytes("JPEG"))
    assert (jpeg.content_type, jpeg.pages, jpeg.extension) == ("image/jpeg", 1, "jpg")


@pytest.mark.parametrize("content", [samples.EXE, samples.HTML, b"PK\x03\x04 a zip"],
                         ids=["renamed-exe", "html-named-pdf", "zip"])
def test_a_file_that_is_not_a_pdf_or_image_is_refused_whatever_its_name(content):
    assert "不是 PDF、PNG 或 JPEG" in _refusal(content)


def test_a_file_that_only_starts_like_a_pdf_is_refused_when_it_does_not_open():
    assert "无法打开" in _refusal(b"%PDF-1.7\n<script>alert(1)</script>\n")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(settings, monkeypatch):
    settings.REVIEWS_EVIDENCE_MAX_BYTES = 1000

    def parse(*args, **kwargs):
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr("reviews.evidence_files.pdfium.PdfDocument", parse)
    monkeypatch.setattr("reviews.evidence_files.Image.open", parse)
    assert "限制为 1000\xa0字节" in _refusal(samples.pdf_bytes(pages=2))
    assert "限制为 1000\xa0字节" in _refusal(samples.image_bytes("PNG", size=(1200, 900)))
    # A client that understates the size is caught by what is read.
    content = samples.pdf_bytes(pages=2)
    with pytest.raises(services.ReviewError):
        evidence_check(io.BytesIO(content), size=10)


def test_a_pdf_with_more_pages_than_allowed_is_refused_from_its_page_count(settings):
    settings.REVIEWS_EVIDENCE_MAX_PAGES = 3
    assert "有 4 页；上限为 3 页" in _refusal(samples.pdf_bytes(pages=4))
    assert _check(samples.pdf_bytes(pages=3)).pages == 3


def test_a_decompression_bomb_and_an_oversized_image_are_refused_unopened(settings, monkeypatch):
    assert "拒绝" in _refusal(samples.png_bomb())  # ten billion pixels declared
    settings.REVIEWS_EVIDENCE_MAX_PIXELS = 1_000_000

    def decode(self):
        raise AssertionError("decoded an image over the limit")

    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", decode)
    assert "2000 × 1000" in _refusal(samples.png_bomb(width=2000, height=1000))


# --------------------------------------------------------------------------- upload, missing


def _upload(setup, content=None, *, item=None, kind="documents", name="制度.pdf", now=NOW):
    content = samples.pdf_bytes(pages=2) if content is None else content
    return services.evidence_upload(project=setup.project, item=item or setup.item, kind=kind,
                                    upload=io.BytesIO(content), name=name, size=len(content),
                                    by=setup.applicant, title="", now=now)


def _row(setup, item=None):
    rows = selectors.project_evidence(setup.project, today=TODAY)
    return next(row for row in rows if row.item.pk == (item or setup.item).pk)


def test_the_applicant_uploads_evidence_and_the_item_shows_what_is_still_missing(
        evidence_setup, django_capture_on_commit_callbacks):
    setup = evidence_setup
    row = _row(setup)
    assert [kind for kind, _label in row.expected] == ["documents", "records"]
    assert [kind for kind, _label in row.missing] == ["documents", "records"] and row.is_open
    with django_capture_on_commit_callbacks(execute=True):
        version = _upload(setup)
    row = _row(setup)
    assert [kind for kind, _label in row.missing] == ["records"]
    (supplied,) = row.files
    assert supplied.current == version and supplied.evidence.title == "制度.pdf"
    version.refresh_from_db()
    assert version.number == 1 and version.pages == 2
    assert version.render_state == RenderState.READY  # the task ran at upload (Celery eager)
    storage = evidence_storage()
    assert storage.exists(version.original.name)
    assert all(storage.exists(version.page_name(n)) for n in (1, 2))
    entry = AuditEntry.objects.get(action="reviews.evidence.added")
    assert entry.data["item"] == setup.item.code and entry.actor == setup.applicant


def test_the_evidence_of_every_item_is_read_in_a_fixed_number_of_queries(
        evidence_setup, django_assert_max_num_queries):
    setup = evidence_setup
    for _ in range(3):
        _upload(setup)
    _upload(setup, item=setup.other_item, kind="records")
    with django_assert_max_num_queries(4):
        rows = selectors.project_evidence(setup.project, today=TODAY)
        assert sum(len(file.versions) for row in rows for file in row.files) == 4


def test_only_the_applicant_uploads_and_only_a_kind_the_item_expects(evidence_setup):
    setup = evidence_setup
    content = samples.pdf_bytes()
    with pytest.raises(services.ReviewError, match="只有申请组织"):
        services.evidence_upload(project=setup.project, item=setup.item, kind="documents",
                                 upload=io.BytesIO(content), name="a.pdf", size=len(content),
                                 by=setup.lead)
    with pytest.raises(services.ReviewError, match="不需要这类证据"):
        _upload(setup, kind="data")
    with pytest.raises(services.ReviewError, match="不需要这类证据"):
        _upload(setup, kind="photos")  # captured on site by the team
    assert not EvidenceVersion.objects.exists()


# --------------------------------------------------------------------------- freeze, requests


def _request(setup, items, *, due_on=TODAY + dt.timedelta(days=7), by=None):
    return services.evidence_request_create(
        project=setup.project, items=items, due_on=due_on, message="请补充2026年培训记录",
        by=by or setup.lead, now=NOW)


def test_evidence_freezes_at_document_review_and_a_request_reopens_only_its_items(
        evidence_setup, django_capture_on_commit_callbacks):
    setup = evidence_setup
    first = _upload(setup)
    setup.project.state = ProjectState.DOCUMENT_REVIEW
    setup.project.save()
    with pytest.raises(services.ReviewError, match="证据已在文件评审开始时冻结"):
        services.evidence_version_add(evidence=first.evidence, upload=io.BytesIO(
            samples.pdf_bytes(3)), name="制度v2.pdf", size=None, by=setup.applicant, now=NOW)
    assert not any(row.is_open for row in selectors.project_evidence(setup.project, today=TODAY))

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = _request(setup, [setup.item])
    assert [m.to for m in mail.outbox] == [[setup.applicant.email]]
    assert setup.item.code in mail.outbox[0].body and "2026-12-01" in mail.outbox[0].body
    assert _row(setup).is_open and not _row(setup, setup.other_item).is_open

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.evidence_version_add(
            evidence=first.evidence, upload=io.BytesIO(samples.pdf_bytes(3)), name="制度v2.pdf",
            size=None, by=setup.applicant, now=NOW)
    assert (second.number, second.pages, second.request) == (2, 3, request)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([setup.lead.email,
                                                           setup.member.email])
    (supplied,) = _row(setup).files
    assert [v.number for v in supplied.versions] == [1, 2] and supplied.current == second
    assert evidence_storage().exists(first.original.name)  # the old version is kept

    with pytest.raises(services.ReviewError, match="证据已在文件评审开始时冻结"):
        _upload(setup, item=setup.other_item, kind="records")
    after_due = NOW + dt.timedelta(days=8)
    with pytest.raises(services.ReviewError, match="证据已在文件评审开始时冻结"):
        services.evidence_version_add(evidence=first.evidence, upload=io.BytesIO(
            samples.pdf_bytes()), name="v3.pdf", size=None, by=setup.applicant, now=after_due)
    assert AuditEntry.objects.filter(action="reviews.evidence.requested").count() == 1


def test_only_the_lead_asks_for_more_evidence_during_the_review(evidence_setup):
    setup = evidence_setup
    with pytest.raises(services.ReviewError, match="文件评审或现场评审"):
        _request(setup, [setup.item])  # the review has not started
    setup.project.state = ProjectState.ONSITE_REVIEW
    setup.project.save()
    with pytest.raises(services.ReviewError, match="评审组长"):
        _request(setup, [setup.item], by=setup.member)
    with pytest.raises(services.ReviewError, match="截止日期"):
        _request(setup, [setup.item], due_on=TODAY)
    with pytest.raises(services.ReviewError, match="条目"):
        _request(setup, [])
    assert _request(setup, [setup.item, setup.other_item]).items.count() == 2
