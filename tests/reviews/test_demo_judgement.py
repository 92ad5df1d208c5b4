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
