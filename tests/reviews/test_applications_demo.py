"""The demo's applicant and its accepted application, whose draw certs@demo.ccso can run."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from accounts.models import User
from reviews import services
from reviews.models import OrganisationMember, ProjectState, ReviewProject


def test_the_demo_application_is_accepted_and_its_draw_succeeds(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    applicant = User.objects.get(email="applicant@demo.ccso")
    membership = OrganisationMember.objects.get(user=applicant)
    assert membership.role == "admin" and "示例" in membership.organisation.name
    assert hasattr(membership.organisation, "review_profile")
    project = ReviewProject.objects.get(organisation=membership.organisation)
    assert project.state == ProjectState.ACCEPTED and services.fee_paid(project)
    assert f"/reviews/staff/projects/{project.pk}/draw/" in printed
    assert "applicant@demo.ccso" in printed

    call_command("load_demo", stdout=StringIO())
    assert ReviewProject.objects.filter(organisation=membership.organisation).count() == 1

    draw = services.draw_run(project=project, by=User.objects.get(email="certs@demo.ccso"))
    assert len(draw.team) == 3 and draw.lead_id in draw.team
