"""The evidence through /api/v1/reviews/: the applicant uploads (an app, with its token) and
downloads its originals; viewers get watermarked pages with the pages' headers; the lead asks
for more evidence; the admins read the view log; the same 404s as the pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reviews.models import EvidencePageView, ProjectState

from . import samples
from .conftest import NOW

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"


def test_the_applicant_uploads_through_the_app_and_sees_what_is_missing(client, evidence_setup):
    from tests.app_token import app_headers

    setup = evidence_setup
    headers = app_headers(client, setup.applicant)
    url = f"{API}/projects/{setup.project.pk}/items/{setup.item.pk}/evidence"
    refused = client.post(url, {"kind": "documents", "file": SimpleUploadedFile(
        "report.pdf", samples.HTML)}, **headers)
    assert refused.status_code == 400 and "不是 PDF" in refused.json()["detail"]
    created = client.post(url, {"kind": "documents", "title": "培训制度", "file":
                                SimpleUploadedFile("p.pdf", samples.pdf_bytes(2))}, **headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["pages"], body["page_url"]) == (1, 2, None)
    original = client.get(body["original_url"], **headers)
    assert original.status_code == 200 and "attachment" in original["Content-Disposition"]

    listing = client.get(f"{API}/projects/{setup.project.pk}/evidence", **headers).json()
    item = next(i for i in listing["items"] if i["item_id"] == setup.item.pk)
    assert item["expected"] == ["documents", "records"] and item["missing"] == ["records"]
    assert item["files"][0]["title"] == "培训制度" and listing["acting_for_applicant"]

    again = client.post(f"{API}/evidence/{item['files'][0]['id']}/versions",
                        {"file": SimpleUploadedFile("p2.png", samples.image_bytes())}, **headers)
    assert again.status_code == 201 and again.json()["number"] == 2


def test_a_viewer_gets_watermarked_pages_never_the_file_and_each_view_is_logged(
        client, evidence_setup, django_capture_on_commit_callbacks):
    from reviews import services

    setup = evidence_setup
    content = samples.pdf_bytes(2)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.evidence_upload(
            project=setup.project, item=setup.item, kind="documents", upload=io.BytesIO(content),
            name="a.pdf", size=len(content), by=setup.applicant)
    client.force_login(setup.member)
    listing = client.get(f"{API}/projects/{setup.project.pk}/evidence").json()
    item = next(i for i in listing["items"] if i["item_id"] == setup.item.pk)
    (shown,) = item["files"][0]["versions"]
    assert shown["original_url"] is None
    page = client.get(shown["page_url"].replace("{page}", "2"))
    assert page.status_code == 200 and page["Content-Type"] == "image/webp"
    assert "no-store" in page["Cache-Control"] and "Content-Disposition" not in page
    assert Image.open(io.BytesIO(page.content)).format == "WEBP"
    assert client.get(f"{API}/evidence/versions/{version.pk}/original").status_code == 404
    assert client.get(shown["page_url"].replace("{page}", "3")).status_code == 404
    assert list(EvidencePageView.objects.values_list("viewer_id", "page", "channel")) == [
        (setup.member.pk, 2, "api")]


def test_the_lead_asks_for_more_evidence_and_the_admins_read_the_log(
        client, evidence_setup, cert_admin, time_machine):
    time_machine.move_to(NOW, tick=False)
    setup = evidence_setup
    setup.project.state = ProjectState.DOCUMENT_REVIEW
    setup.project.save()
    body = {"item_ids": [setup.item.pk], "due_on": "2026-12-01", "message": "请补充排班记录"}
    url = f"{API}/projects/{setup.project.pk}/evidence-requests"
    client.force_login(setup.member)
    assert client.post(url, body, content_type="application/json").status_code == 400
    client.force_login(setup.lead)
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["item_codes"] == [setup.item.code]
    client.force_login(cert_admin)
    log = client.get(f"{API}/staff/projects/{setup.project.pk}/evidence-views")
    assert log.status_code == 200 and log.json() == []
    assert setup.project.evidence_requests.get().due_on.isoformat() == "2026-12-01"


def test_outsiders_get_404_from_every_evidence_operation(client, evidence_setup, user_factory):
    setup = evidence_setup
    client.force_login(user_factory(roles=["reviewer"]))
    project = setup.project.pk
    assert client.get(f"{API}/projects/{project}/evidence").status_code == 404
    assert client.post(f"{API}/projects/{project}/items/{setup.item.pk}/evidence",
                       {"kind": "documents", "file": SimpleUploadedFile(
                           "a.pdf", samples.pdf_bytes(1))}).status_code == 404
    assert client.post(f"{API}/projects/{project}/evidence-requests", {
        "item_ids": [setup.item.pk], "due_on": "2026-12-01", "message": "x"},
        content_type="application/json").status_code == 404
