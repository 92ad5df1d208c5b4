"""On-site records: a signed member of the team captures notes, photos and signed interviews
per item, each stored once whatever the number of re-sends; photos are evidence (checked and
bounded, viewed watermarked, never the applicant's to download); the signature is a bounded,
non-blank PNG served without caching; the item's panel shows everything in a fixed number of
queries. The API and the pages keep the same rule: not on the team 404, unsigned 403, the
committee reads."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid
from typing import Any

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.models import AuditEntry
from reviews import selectors, services
from reviews.models import (
    EvidenceFile,
    OnsiteRecord,
    ProjectState,
    TeamMember,
    TeamRole,
)

from . import samples
from .conftest import NOW, make_reviewer
from .samples import signature_png

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


@pytest.fixture
def onsite(evidence_setup: Any) -> Any:
    """The evidence setup with its project in document review."""
    ReviewProjectModel = type(evidence_setup.project)
    ReviewProjectModel.objects.filter(pk=evidence_setup.project.pk).update(
        state=ProjectState.DOCUMENT_REVIEW)
    evidence_setup.project.refresh_from_db()
    return evidence_setup


def _member(setup: Any, user: Any) -> TeamMember:
    member = selectors.membership_for(user=user, project_id=setup.project.pk)
    assert member is not None
    return member


def _interview(**overrides: Any) -> dict[str, Any]:
    body = {"client_uuid": str(uuid.uuid4()), "interviewee_name": "陈班长",
            "interviewee_role": "一线班组长",
            "answers": [{"question": "排班如何调整？", "answer": "每周按预测调整。"}],
            "signature": data_url(signature_png()), "interviewed_at": NOW.isoformat(),
            "captured_at": NOW.isoformat()}
    body.update(overrides)
    return body


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _urls(setup: Any) -> dict[str, str]:
    base = f"{API}/projects/{setup.project.pk}/items/{setup.item.pk}"
    return {"list": f"{base}/onsite", "note": f"{base}/onsite/notes",
            "photo": f"{base}/onsite/photos", "interview": f"{base}/onsite/interviews",
            "panel": f"{base}/evidence-panel",
            "page": reverse("reviews:onsite_capture", args=[setup.project.pk, setup.item.pk])}


def test_a_note_sent_twice_is_stored_once_and_audited(client, onsite, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(onsite.member)
    urls = _urls(onsite)
    body = {"client_uuid": str(uuid.uuid4()), "text": "现场看到排班表张贴在班组看板。",
            "captured_at": (NOW - dt.timedelta(minutes=30)).isoformat()}
    first = _post(client, urls["note"], body)
    assert first.status_code == 201, first.content
    again = _post(client, urls["note"], body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    record = OnsiteRecord.objects.get()
    assert (record.captured_by, record.kind, record.text) == (
        onsite.member, "note", "现场看到排班表张贴在班组看板。")
    assert record.captured_at == NOW - dt.timedelta(minutes=30) and record.received_at == NOW
    assert AuditEntry.objects.filter(action="reviews.onsite.captured").count() == 1
    listed = client.get(urls["list"]).json()
    assert [r["text"] for r in listed] == ["现场看到排班表张贴在班组看板。"]


def test_a_uuid_of_someone_elses_record_is_refused(client, onsite):
    member = _member(onsite, onsite.member)
    record, _ = services.onsite_note_capture(member=member, item=onsite.item,
                                             client_uuid=uuid.uuid4(), text="甲", captured_at=NOW)
    client.force_login(onsite.lead)
    refused = _post(client, _urls(onsite)["note"], {"client_uuid": str(record.client_uuid),
                                                    "text": "乙", "captured_at": NOW.isoformat()})
    assert refused.status_code == 400 and OnsiteRecord.objects.get().text == "甲"


def test_who_may_capture_and_who_may_read(client, onsite, user_factory):
    urls = _urls(onsite)
    note = {"client_uuid": str(uuid.uuid4()), "text": "记录", "captured_at": NOW.isoformat()}

    client.force_login(user_factory(name_zh="路人"))  # not on the team
    assert client.get(urls["list"]).status_code == 404
    assert _post(client, urls["note"], note).status_code == 404
    assert client.get(urls["page"]).status_code == 404

    client.force_login(onsite.applicant)  # the applicant does not capture the team's records
    assert _post(client, urls["note"], note).status_code == 404
    assert client.get(urls["panel"]).status_code == 404

    unsigned = make_reviewer(name_zh="未签")
    TeamMember.objects.create(project=onsite.project, reviewer=unsigned, role=TeamRole.MEMBER,
                              draw=onsite.project.draws.get())
    client.force_login(unsigned)
    assert _post(client, urls["note"], note).status_code == 403
    assert client.get(urls["page"]).status_code == 403
    assert OnsiteRecord.objects.count() == 0

    client.force_login(onsite.member)
    assert _post(client, urls["note"], note).status_code == 201
    assert client.get(urls["page"]).status_code == 200

    committee = user_factory(roles=["expert_committee"], name_zh="委员")
    client.force_login(committee)
    assert [r["text"] for r in client.get(urls["list"]).json()] == ["记录"]
    assert client.get(urls["panel"]).json()["notes"][0]["text"] == "记录"
    second = {**note, "client_uuid": str(uuid.uuid4())}
    assert _post(client, urls["note"], second).status_code == 403
    assert client.get(urls["page"]).status_code == 403


def test_nothing_is_captured_before_document_review(client, evidence_setup):
    client.force_login(evidence_setup.member)  # the project is still team_drawn
    refused = _post(client, _urls(evidence_setup)["note"], {
        "client_uuid": str(uuid.uuid4()), "text": "早了", "captured_at": NOW.isoformat()})
    assert refused.status_code == 400 and "文件评审和现场评审" in refused.json()["detail"]


def test_a_photo_is_evidence_checked_viewed_watermarked_and_not_the_applicants(
        client, onsite, django_capture_on_commit_callbacks):
    client.force_login(onsite.lead)
    urls = _urls(onsite)
    key = str(uuid.uuid4())
    for name, content in (("bad.jpg", samples.EXE), ("page.pdf", samples.pdf_bytes(1)),
                          ("bomb.png", samples.png_bomb())):
        refused = client.post(urls["photo"], {"client_uuid": key, "captured_at": NOW.isoformat(),
                                              "file": samples.upload(name, content)})
        assert refused.status_code == 400, name
    assert not EvidenceFile.objects.exists()

    photo = samples.image_bytes("JPEG", size=(1600, 1200))
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(urls["photo"], {"client_uuid": key, "captured_at": NOW.isoformat(),
                                              "caption": "班组看板",
                                              "file": samples.upload("IMG_0001.jpg", photo)})
    assert created.status_code == 201, created.content
    again = client.post(urls["photo"], {"client_uuid": key, "captured_at": NOW.isoformat(),
                                        "file": samples.upload("IMG_0001.jpg", photo)})
    assert again.status_code == 200 and again.json()["created"] is False
    evidence = EvidenceFile.objects.get()
    assert (evidence.kind, evidence.created_by, evidence.title) == ("photos", onsite.lead,
                                                                  "班组看板")
    shown = client.get(created.json()["photo"]["page_url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/webp"
    assert "no-store" in shown["Cache-Control"] and "Content-Disposition" not in shown
    version = evidence.versions.get()
    assert client.get(reverse("reviews:evidence_original", args=[version.pk])).status_code == 404

    client.force_login(onsite.applicant)
    assert client.get(reverse("reviews:evidence_original", args=[version.pk])).status_code == 404
    listing = client.get(f"{API}/projects/{onsite.project.pk}/evidence").json()
    assert all(not item["files"] for item in listing["items"])


def test_an_interview_needs_a_name_a_role_and_a_real_signature(client, onsite, settings):
    client.force_login(onsite.member)
    url = _urls(onsite)["interview"]
    jpeg = base64.b64encode(samples.image_bytes("JPEG")).decode()
    cases = [
        (_interview(interviewee_name=" "), "姓名和职务"),
        (_interview(interviewee_role=""), "姓名和职务"),
        (_interview(answers=[]), "问题"),
        (_interview(signature=""), "签名"),
        (_interview(signature=data_url(signature_png(blank=True))), "签名为空"),
        (_interview(signature=jpeg), "PNG"),
        (_interview(signature="data:image/png;base64,@@@"), "签名"),
        (_interview(signature=data_url(signature_png(size=(2500, 2000)))), "像素"),
    ]
    for body, words in cases:
        refused = _post(client, url, body)
        assert refused.status_code == 400, (body["interviewee_name"], refused.content)
        assert words in refused.json()["detail"], refused.json()["detail"]
    settings.REVIEWS_SIGNATURE_MAX_BYTES = 100
    assert _post(client, url, _interview()).status_code == 400
    del settings.REVIEWS_SIGNATURE_MAX_BYTES
    assert not OnsiteRecord.objects.exists()

    body = _interview()
    created = _post(client, url, body)
    assert created.status_code == 201, created.content
    assert _post(client, url, body).json()["created"] is False
    record = OnsiteRecord.objects.get()
    assert (record.interviewee_name, record.interviewee_role, record.interviewed_at) == (
        "陈班长", "一线班组长", NOW)
    assert record.answers == [{"question": "排班如何调整？", "answer": "每周按预测调整。"}]

    signature = client.get(created.json()["signature_url"])
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    assert "no-store" in signature["Cache-Control"] and "Content-Disposition" not in signature
    assert Image.open(io.BytesIO(signature.content)).size == (600, 240)
    page_url = reverse("reviews:onsite_signature", args=[record.pk])
    assert client.get(page_url).status_code == 200
    client.force_login(onsite.applicant)
    assert client.get(page_url).status_code == 404
    assert client.get(created.json()["signature_url"]).status_code == 404


def _records(setup: Any, n: int) -> None:
    member = _member(setup, setup.member)
    for i in range(n):
        services.onsite_note_capture(member=member, item=setup.item, client_uuid=uuid.uuid4(),
                                     text=f"记录{i}", captured_at=NOW)
        services.onsite_interview_capture(
            member=member, item=setup.item, client_uuid=uuid.uuid4(),
            interviewee_name=f"受访者{i}", interviewee_role="坐席", answers=[
                {"question": "问", "answer": "答"}], signature=signature_png(),
            interviewed_at=NOW, captured_at=NOW)
        services.onsite_photo_capture(
            member=member, item=setup.item, client_uuid=uuid.uuid4(),
            upload=io.BytesIO(samples.image_bytes()), name=f"p{i}.png", size=None,
            captured_at=NOW)


def test_the_item_page_shows_all_its_evidence_in_queries_that_do_not_grow(client, onsite):
    url = reverse("reviews:item", args=[onsite.project.pk, onsite.item.pk])
    client.force_login(onsite.member)

    def counted(n: int) -> tuple[int, int, Any]:
        # The applicant's files before the freeze, then the team's records in document review.
        type(onsite.project).objects.filter(pk=onsite.project.pk).update(
            state=ProjectState.TEAM_DRAWN)
        content = samples.pdf_bytes(1)
        for i in range(n):
            services.evidence_upload(project=onsite.project, item=onsite.item, kind="documents",
                                     upload=io.BytesIO(content), name=f"d{i}.pdf",
                                     size=len(content), by=onsite.applicant)
        type(onsite.project).objects.filter(pk=onsite.project.pk).update(
            state=ProjectState.DOCUMENT_REVIEW)
        onsite.project.refresh_from_db()
        _records(onsite, n)
        reset_queries()  # the log keeps 9000 queries: a full log would count none
        with CaptureQueriesContext(connection) as panel:
            selectors.item_evidence_panel(onsite.project, onsite.item)
        client.get(url)  # the first request of a session writes it
        reset_queries()
        with CaptureQueriesContext(connection) as page:
            response = client.get(url)
        assert response.status_code == 200
        return len(panel), len(page), response

    one_panel, one_page, _ = counted(1)
    more_panel, more_page, response = counted(3)
    # Files, versions, records, KPI months (for an item expecting data), two for KPI checks.
    assert more_panel == one_panel <= 6
    assert more_page == one_page
    html = response.content.decode()
    assert html.count('data-testid="onsite-photo"') == 4
    assert html.count('data-testid="onsite-interview"') == 4
    assert html.count('data-testid="onsite-note"') == 4
    assert html.count('data-testid="item-file"') == 4
    assert html.count("第 1 版，共 1 页") == 4
    assert "受访者2" in html and reverse("reviews:onsite_signature", args=[
        OnsiteRecord.objects.filter(kind="interview").last().pk]) in html
    assert 'data-testid="data-checks"' in html
    # The item expects documents and process records: records are still missing.
    missing = html.split('data-testid="item-missing"')[1].split("</p>")[0]
    assert "过程记录" in missing and "文件" not in missing
