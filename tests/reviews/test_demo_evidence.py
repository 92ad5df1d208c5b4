"""`make run`'s evidence demo: the sample review of 星河客服中心（示例） has sample PDFs from
its contact and the team's photos, rendered for viewing, a note and a signed interview; loading
twice adds nothing; the demo reviewer's walk-through (sign, then judge) still works, and the
item page shows the demo evidence beside the judgement."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from reviews import services
from reviews.models import (
    EvidenceFile,
    EvidenceVersion,
    MemberState,
    OnsiteRecord,
    ProjectState,
    RenderState,
    ReviewProject,
)


def test_the_sample_review_has_evidence_and_on_site_records(
        db, client, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the render tasks, as on `make run`
        call_command("load_demo", stdout=out)
    project = ReviewProject.objects.get(organisation__name="星河客服中心（示例）")
    counts = (EvidenceFile.objects.filter(project=project).count(),
              OnsiteRecord.objects.filter(project=project).count())
    call_command("load_demo", stdout=StringIO())
    assert (EvidenceFile.objects.filter(project=project).count(),
            OnsiteRecord.objects.filter(project=project).count()) == counts
    files = EvidenceFile.objects.filter(project=project)
    assert files.filter(kind="photos").count() == 2
    assert files.exclude(kind="photos").count() == 3
    assert all(title.endswith("（示例）") for title in files.values_list("title", flat=True))
    versions = EvidenceVersion.objects.filter(evidence__project=project)
    assert set(versions.values_list("render_state", flat=True)) == {RenderState.READY}
    assert set(versions.filter(content_type="application/pdf")
               .values_list("pages", flat=True)) == {2}
    kinds = sorted(OnsiteRecord.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds == ["interview", "note", "photo", "photo"]
    assert "on-site records" in out.getvalue()

    mine = project.members.get(reviewer__email="reviewer@demo.ccso", state=MemberState.DRAWN)
    services.agreement_accept(member=mine, full_name="周评审", no_conflict=True,
                              ip_address="127.0.0.1")
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW
    interview = OnsiteRecord.objects.get(project=project, kind="interview")
    client.force_login(mine.reviewer)
    page = client.get(reverse("reviews:item", args=[project.pk, interview.item_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "陈班长（示例）" in html and "现场查看班组看板" in html
    assert reverse("reviews:onsite_signature", args=[interview.pk]) in html
    assert client.get(reverse("reviews:onsite_signature",
                              args=[interview.pk])).status_code == 200
