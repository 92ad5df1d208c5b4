"""`make run`'s review demo: the demo reviewer is drawn, with the real draw, onto a sample
project whose other members have signed; their signature starts document review. Loading twice
changes nothing."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.core.management import call_command

from reviews import services
from reviews.models import MemberState, ProjectState, ReviewProject


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _review_rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count()
            for model in apps.get_app_config("reviews").get_models()}


def test_the_demo_reviewer_signs_and_the_sample_review_starts(db):
    printed = _load()
    rows = _review_rows()
    _load()
    assert _review_rows() == rows
    project = ReviewProject.objects.get(organisation__name="星河客服中心（示例）")
    assert f"/reviews/projects/{project.pk}/" in printed and "reviewer@demo.ccso" in printed
    assert project.state == ProjectState.TEAM_DRAWN and project.draws.exists()
    drawn = list(project.members.filter(state=MemberState.DRAWN).select_related("reviewer"))
    (mine,) = [m for m in drawn if m.reviewer.email == "reviewer@demo.ccso"]
    assert len(drawn) == 3
    assert all(hasattr(m, "agreement") for m in drawn if m != mine)
    assert not hasattr(mine, "agreement")
    services.agreement_accept(member=mine, full_name="周评审", no_conflict=True,
                              ip_address="127.0.0.1")
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW


def test_the_committee_decides_the_demo_consolidated_review_and_it_is_listed(db, client):
    from accounts.models import User

    printed = _load()
    project = ReviewProject.objects.get(organisation__name="晨光客服中心（示例）")
    assert project.state == ProjectState.CONSOLIDATED and "/reviews/staff/decisions/" in printed
    services.project_decide(project=project, by=User.objects.get(email="committee@demo.ccso"),
                            accepts=True, reason="同意评审组建议（示例）")
    project.refresh_from_db()
    assert project.state == ProjectState.CERTIFICATE_ISSUED
    assert "晨光客服中心（示例）" in client.get("/reviews/certified/").content.decode()
