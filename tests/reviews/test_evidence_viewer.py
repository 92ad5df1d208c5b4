"""View, never take: the team and the committee see evidence page by page as images carrying
each viewer's own watermark, no response lets the file be downloaded, every view is logged and
the certification admins read the log; anyone else gets 404. On the local folder and on the
object store."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image, ImageChops

from reviews import services
from reviews.models import (
    AgreementAcceptance,
    AgreementVersion,
    EvidencePageView,
    EvidenceVersion,
    MemberState,
    ProjectState,
    TeamMember,
)
from reviews.storage import evidence_storage

from . import samples
from .conftest import NOW, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(evidence_setup, django_capture_on_commit_callbacks):
    content = samples.pdf_bytes(pages=3)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.evidence_upload(
            project=evidence_setup.project, item=evidence_setup.item, kind="documents",
            upload=io.BytesIO(content), name="培训制度.pdf", size=len(content),
            by=evidence_setup.applicant, now=NOW)
    return evidence_setup, version


def _base(version, page):
    with evidence_storage().open(version.page_name(page), "rb") as stored:
        return Image.open(io.BytesIO(stored.read())).convert("RGB")


def _differs(a: Image.Image, b: Image.Image) -> bool:
    return a.size != b.size or ImageChops.difference(a, b).getbbox() is not None


def _no_download(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert "attachment" not in response.get("Content-Disposition", "")


def test_two_viewers_each_get_their_own_watermark_nothing_to_download_and_each_view_logged(
        client, media_storage, evidence):
    setup, version = evidence
    url = reverse("reviews:evidence_page", args=[version.pk, 2])
    images = {}
    for viewer in (setup.lead, setup.member):
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
        _no_download(response)
        assert "Content-Disposition" not in response
        images[viewer.pk] = Image.open(io.BytesIO(response.content)).convert("RGB")
    base = _base(version, 2)
    lead_image, member_image = images[setup.lead.pk], images[setup.member.pk]
    assert lead_image.size == base.size
    assert _differs(lead_image, member_image)
    assert _differs(lead_image, base) and _differs(member_image, base)
    assert list(EvidencePageView.objects.order_by("pk").values_list("viewer_id", "page",
                                                                     "channel")) == [
        (setup.lead.pk, 2, "web"), (setup.member.pk, 2, "web")]


def test_the_watermark_names_the_viewer_the_project_and_the_time(evidence):
    setup, _version = evidence
    text = services.watermark_text(viewer=setup.lead, project=setup.project, now=NOW)
    assert text == f"王组长 · 示例呼叫中心 · #{setup.project.pk} · 2026-11-24 10:00"


def test_the_viewer_page_shows_one_page_as_an_image_with_no_link_to_the_file(client, evidence):
    setup, version = evidence
    client.force_login(setup.member)
    response = client.get(reverse("reviews:evidence_viewer", args=[version.pk]), {"page": 2})
    page = response.content.decode()
    _no_download(response)
    assert "第 2 页，共 3 页" in page
    assert reverse("reviews:evidence_page", args=[version.pk, 2]) in page
    assert reverse("reviews:evidence_original", args=[version.pk]) not in page
    assert "download" not in page and version.original.name not in page
    evidence_page = client.get(reverse("reviews:evidence", args=[setup.project.pk])).content
    assert reverse("reviews:evidence_viewer", args=[version.pk]).encode() in evidence_page
    assert b"/original/" not in evidence_page
    # Nor is the file under a URL: the evidence storage is outside MEDIA_ROOT.
    assert client.get(f"/media/{version.original.name}").status_code == 404


def test_pages_are_rendered_once_at_upload_and_only_watermarked_per_view(
        client, evidence, monkeypatch):
    setup, version = evidence

    def render(*args, **kwargs):
        raise AssertionError("re-rasterised on a view")

    monkeypatch.setattr("reviews.services.evidence.pages_render", render)
    client.force_login(setup.lead)
    for page in (1, 2, 3):
        assert client.get(reverse("reviews:evidence_page", args=[version.pk, page])
                          ).status_code == 200
    assert client.get(reverse("reviews:evidence_page", args=[version.pk, 4])).status_code == 404


def test_a_page_the_task_has_not_reached_is_rendered_alone_and_kept(client, evidence):
    setup, version = evidence
    storage = evidence_storage()
    storage.delete(version.page_name(3))
    client.force_login(setup.lead)
    assert client.get(reverse("reviews:evidence_page", args=[version.pk, 3])).status_code == 200
    assert storage.exists(version.page_name(3))


def test_the_committee_views_and_the_admins_read_the_log(client, evidence, user_factory,
                                                         cert_admin):
    setup, version = evidence
    committee = user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙委员")
    client.force_login(committee)
    assert client.get(reverse("reviews:evidence_page", args=[version.pk, 1])).status_code == 200
    client.force_login(cert_admin)
    log = client.get(reverse("reviews:staff_evidence_views", args=[setup.project.pk]))
    assert log.status_code == 200
    page = log.content.decode()
    assert "孙委员" in page and "培训制度.pdf" in page and setup.item.code in page
    # Certification admins read the log; they do not open the evidence.
    assert client.get(reverse("reviews:evidence_page", args=[version.pk, 1])).status_code == 404


def test_only_the_applicant_downloads_its_own_original(client, evidence):
    setup, version = evidence
    client.force_login(setup.applicant)
    response = client.get(reverse("reviews:evidence_original", args=[version.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == samples_content(version)
    # The applicant's own page lists downloads, not the viewer.
    page = client.get(reverse("reviews:evidence", args=[setup.project.pk])).content.decode()
    assert reverse("reviews:evidence_original", args=[version.pk]) in page
    for viewer in (setup.lead, setup.member):
        client.force_login(viewer)
        assert client.get(reverse("reviews:evidence_original", args=[version.pk])
                          ).status_code == 404


def samples_content(version) -> bytes:
    with version.original.open("rb") as original:
        return original.read()


def test_anyone_not_on_the_team_gets_404(client, evidence, user_factory):
    setup, version = evidence
    declined = make_reviewer(name_zh="已拒绝")
    TeamMember.objects.create(project=setup.project, reviewer=declined, role="member",
                              draw=setup.project.draws.get(), state=MemberState.DECLINED)
    urls = [reverse("reviews:evidence", args=[setup.project.pk]),
            reverse("reviews:evidence_viewer", args=[version.pk]),
            reverse("reviews:evidence_page", args=[version.pk, 1]),
            reverse("reviews:evidence_original", args=[version.pk])]
    for outsider in (user_factory(roles=["reviewer"]), make_reviewer(), declined):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
    assert not EvidencePageView.objects.exists()


def test_a_drawn_reviewer_sees_no_evidence_before_signing_the_integrity_agreement(
        client, evidence):
    setup, version = evidence
    unsigned = make_reviewer(name_zh="未签署")
    place = TeamMember.objects.create(project=setup.project, reviewer=unsigned, role="member",
                                      draw=setup.project.draws.get())
    page = reverse("reviews:evidence_page", args=[version.pk, 1])
    client.force_login(unsigned)
    assert client.get(page).status_code == 404
    assert client.get(reverse("reviews:evidence_viewer", args=[version.pk])).status_code == 404

    AgreementAcceptance.objects.create(
        member=place, version=AgreementVersion.objects.get(), text_sha256="0" * 64,
        full_name="未签署", no_conflict=True, accepted_at=NOW)
    assert client.get(page).status_code == 200
    assert EvidencePageView.objects.filter(viewer=unsigned).count() == 1


def test_the_applicant_page_refuses_a_disguised_file_and_says_why(client, evidence_setup):
    setup = evidence_setup
    client.force_login(setup.applicant)
    response = client.post(
        reverse("reviews:evidence_upload", args=[setup.project.pk, setup.item.pk]),
        {"kind": "documents", "title": "", "file": samples.upload("制度.pdf", samples.HTML)},
        follow=True)
    assert "不是 PDF、PNG 或 JPEG" in response.content.decode()
    assert not EvidenceVersion.objects.exists()


def test_the_lead_asks_for_more_evidence_on_the_page_and_the_item_reopens(
        client, evidence, time_machine):
    setup, version = evidence
    time_machine.move_to(NOW, tick=False)
    setup.project.state = ProjectState.DOCUMENT_REVIEW
    setup.project.save()
    client.force_login(setup.lead)
    page = client.get(reverse("reviews:evidence", args=[setup.project.pk])).content.decode()
    assert "要求补充材料" in page and "证据已在文件评审开始时冻结" in page
    client.post(reverse("reviews:evidence_request", args=[setup.project.pk]), {
        "items": [setup.item.pk], "due_on": "2026-12-01", "message": "请补充排班记录"})
    client.force_login(setup.applicant)
    page = client.get(reverse("reviews:evidence", args=[setup.project.pk])).content.decode()
    assert "请补充排班记录" in page and "截止 2026-12-01" in page
    assert page.count('data-testid="upload-form"') == 1  # the named item alone
    assert reverse("reviews:evidence_version_add", args=[version.evidence_id]) in page
