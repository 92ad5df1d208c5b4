"""The standard's PDF is typeset by a task when a version (or one of its modules) is published,
in each language, and kept in the storage: the first download after a publish is served at once,
a PDF older than the last publish is never served, and while it renders the page and the API say
so."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from cms.models import StandardPdf, StandardVersionPage
from cms.services import standard_import
from cms.tasks import standard_pdf_store_task

from .conftest import standard_data

pytestmark = pytest.mark.django_db
URL = "/standard/yd-t-2823-2015/pdf/"
API = "/api/v1/cms/standards/yd-t-2823-2015/pdf"


@pytest.fixture(autouse=True)
def render_on_publish(settings):
    settings.CMS_STANDARD_PDF_ON_PUBLISH = True


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "standard.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def import_with(django_capture_on_commit_callbacks):
    """Import (publish) a version whose first item of module 2 says `requirement`; what is
    queued on commit is sent (run at once with Celery eager)."""
    def publish(requirement: str) -> None:
        data = standard_data(modules=[1, 2], items=2)
        data["modules"][1]["items"][0]["requirement"] = requirement
        with django_capture_on_commit_callbacks(execute=True):
            standard_import(data=data)

    return publish


def no_render_in_request(monkeypatch) -> None:
    def refuse(**kwargs):
        raise AssertionError("the request typeset the PDF")

    monkeypatch.setattr("cms.services.standard_pdf_render", refuse)


def test_publishing_renders_each_language_and_the_first_download_is_served_at_once(
        client, home_page, import_with, monkeypatch, tmp_path):
    import_with("组织应保持客服记录。")  # Celery eager: the tasks ran on commit
    version = StandardVersionPage.objects.get()
    pdfs = {pdf.language: pdf for pdf in StandardPdf.objects.filter(version=version)}
    assert set(pdfs) == {"zh-hans", "en"}
    assert all(pdf.is_current and default_storage.exists(pdf.file.name) for pdf in pdfs.values())

    no_render_in_request(monkeypatch)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="yd-t-2823-2015.pdf"' in response["Content-Disposition"]
    chinese = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "组织应保持客服记录。" in chinese and "规划及发展方向" in chinese

    client.cookies["django_language"] = "en"
    english = pdf_text(b"".join(client.get(URL).streaming_content), tmp_path)
    assert "Planning and development direction" in english
    api = client.get(f"{API}?language=en")
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    assert b"".join(api.streaming_content).startswith(b"%PDF")


def test_republishing_a_module_renders_anew_and_the_old_pdf_is_never_served(
        client, home_page, import_with, broker_queue, tmp_path,
        django_capture_on_commit_callbacks):
    import_with("组织应保持客服记录。")
    for task in broker_queue():
        standard_pdf_store_task(**task["kwargs"])  # a worker renders the first publish
    assert client.get(URL).status_code == 200
    old_files = set(StandardPdf.objects.values_list("file", flat=True))

    import_with("组织应按月复核客服记录。")  # module 2 republished; the workers are busy
    page = client.get(URL)
    assert page.status_code == 202
    assert page["Retry-After"] == "5"
    body = page.content.decode()
    assert "标准的 PDF 正在生成" in body
    assert '<meta http-equiv="refresh" content="5">' in body
    assert "<script>" not in body
    api = client.get(API)
    assert api.status_code == 202 and api["Retry-After"] == "5"
    assert api.json()["status"] == "preparing"

    queued = broker_queue()  # one render per language, however many asked
    assert sorted(task["kwargs"]["language"] for task in queued) == ["en", "zh-hans"]
    assert {task["task"] for task in queued} == {"cms.tasks.standard_pdf_store_task"}
    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:
            standard_pdf_store_task(**task["kwargs"])  # the worker runs them
    response = client.get(URL)
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "组织应按月复核客服记录。" in text and "组织应保持客服记录。" not in text
    assert not any(default_storage.exists(name) for name in old_files)


def test_a_render_overtaken_by_a_newer_publish_is_not_served(
        client, home_page, import_with, broker_queue, monkeypatch):
    import_with("第一版要求。")
    queued = broker_queue()  # the renders of that publish, not yet run
    from cms import services

    render = services.standard_pdf_render

    def publish_meanwhile(**kwargs):
        content = render(**kwargs)
        import_with("第二版要求。")  # an editor publishes while the worker typesets
        return content

    monkeypatch.setattr(services, "standard_pdf_render", publish_meanwhile)
    standard_pdf_store_task(**next(t for t in queued if t["kwargs"]["language"] == "zh-hans")["kwargs"])
    pdf = StandardPdf.objects.get(language="zh-hans")
    assert pdf.file and not pdf.is_current  # typeset from the first publish
    assert client.get(URL).status_code == 202  # so it is not handed out as the standard


def test_with_render_on_publish_off_a_publish_still_retires_the_old_pdf(
        client, home_page, import_with, settings, django_capture_on_commit_callbacks):
    import_with("第一版要求。")
    assert client.get(URL).status_code == 200
    settings.CMS_STANDARD_PDF_ON_PUBLISH = False
    import_with("第二版要求。")
    assert not StandardPdf.objects.filter(language="zh-hans").get().is_current
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL)  # Celery eager: the download renders it
    assert response.status_code == 200
    assert StandardPdf.objects.get(language="zh-hans").is_current


def test_deleting_a_version_deletes_its_pdf_files(home_page, import_with, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr("cms.services.standard_pdf_render", lambda **kwargs: b"%PDF-1.7 sample")
    import_with("组织应保持客服记录。")
    version = StandardVersionPage.objects.get()
    names = [pdf.file.name for pdf in StandardPdf.objects.filter(version=version)]
    assert len(names) == 2 and all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        version.delete()
    assert not StandardPdf.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
