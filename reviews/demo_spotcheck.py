"""Demo of the expert committee's spot-check (idempotent, all marked as sample): three sample
reviews judged by the sample reviewers 吴评审 (lead) and 郑评审 and decided (not certified) by
committee@demo.ccso, one completed spot-check of them with a finding, and two decided reviews
left undrawn, so that on `make run` committee@demo.ccso draws a spot-check, re-judges items,
records a finding and suspends a sample reviewer (never reviewer@demo.ccso, whose
walk-through stays as it is)."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import Organisation, User
from cms.selectors import version_current, version_items

from . import selectors, services
from .draw import seed_new
from .models import (
    Draw,
    DrawKind,
    ProjectState,
    ReviewProject,
    SpotCheck,
    TeamMember,
    TeamRole,
    Verdict,
)

SAMPLE_DECIDED = [
    ("朝阳客服中心（示例）", "Sunrise Contact Centre (sample)", "江苏"),
    ("海岸客户联络中心（示例）", "Coast Customer Contact Centre (sample)", "福建"),
    ("山城热线服务中心（示例）", "Mountain City Hotline Centre (sample)", "重庆"),
]
LEAD_EMAIL = "reviewer.wu@demo.ccso"
MEMBER_EMAIL = "reviewer.zheng@demo.ccso"
COMMITTEE_EMAIL = "committee@demo.ccso"
SAMPLE_REASON = "演示数据：证据齐全，符合要求（示例）"


def _team_placed(project: ReviewProject, lead: User, member: User) -> None:
    """The sample team, placed as a draw the demo records (seed stored, so it verifies) rather
    than drawn from today's pool, which other demos change: the spot-check walk needs these two
    sample reviewers on it."""
    ids = [lead.pk, member.pk]
    draw = Draw.objects.create(
        project=project, kind=DrawKind.DRAW, pool=ids, qualified=[lead.pk], seed=seed_new(),
        team_size=2, lead_rule="demo: sample team", team=ids, lead_id=lead.pk,
        reason="演示数据：示例评审组", created_at=timezone.now())
    TeamMember.objects.bulk_create([
        TeamMember(project=project, reviewer=lead, role=TeamRole.LEAD, draw=draw),
        TeamMember(project=project, reviewer=member, role=TeamRole.MEMBER, draw=draw),
    ])
    project.state = ProjectState.TEAM_DRAWN
    project.save(update_fields=["state", "updated_at"])


def _decided_review(name: str, name_en: str, region: str, *, lead: User, member: User,
                    committee: User, dissent: int) -> ReviewProject | None:
    """A sample review judged and decided through the services: the member judges each item
    (not conforming in the first module and on the `dissent`-th), the lead records the final
    judgements (the first module's not conforming, the rest conforming), consolidates (not
    certify: the first module fails), and the committee accepts the recommendation: not
    certified."""
    version = version_current()
    if version is None:
        return None
    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"name_en": name_en, "region": region})
    project = ReviewProject.objects.filter(organisation=organisation).first()
    if project is not None:
        return project
    project = ReviewProject.objects.create(organisation=organisation, standard_version=version,
                                           state=ProjectState.ACCEPTED, scope="呼入中心（示例）")
    _team_placed(project, lead, member)
    places = {m.reviewer_id: m for m in project.members.select_related("reviewer")}
    for place in places.values():
        services.agreement_accept(member=place, no_conflict=True, ip_address=None,
                                  full_name=place.reviewer.name_zh)
    items = list(version_items(version=version))
    for index, item in enumerate(items):
        # The first module's items do not conform, which fails it: the team recommends not
        # certifying and the committee agrees, so no sample certificate joins the public list.
        failed = item.module_id == items[0].module_id
        final = Verdict.NOT_CONFORMS if failed else Verdict.CONFORMS
        own = Verdict.NOT_CONFORMS if failed or index == dissent else Verdict.CONFORMS
        services.judgement_record(member=places[member.pk], item=item, verdict=own,
                                  reason="演示数据：本人判断（示例）")
        services.final_judgement_record(
            member=places[lead.pk], item=item, verdict=final,
            reason=SAMPLE_REASON if final == Verdict.CONFORMS else "演示数据：未见相关记录（示例）")
    services.project_consolidate(member=places[lead.pk])
    project.refresh_from_db()
    services.project_decide(project=project, by=committee, accepts=True,
                            reason="演示数据：同意评审组建议（示例）")
    project.refresh_from_db()
    return project


def _completed_spot_check(committee: User) -> SpotCheck | None:
    """One spot-check of the sample reviews, completed, with a finding: the committee finds the
    first sampled item the team passed not conforming, and agrees with the team's final
    judgement on the others."""
    existing = SpotCheck.objects.filter(state="completed").order_by("pk").first()
    if existing is not None:
        return existing
    try:
        spot_check = services.spotcheck_draw(by=committee)
    except services.ReviewError:
        return None
    for review in spot_check.reviews.select_related("project"):
        rows = selectors.spotcheck_sample(review)
        # The first item the team passed is found not conforming; the rest agree with the team.
        found = next((row.item.pk for row in rows
                      if row.final and row.final.verdict == Verdict.CONFORMS), None)
        for row in rows:
            verdict = (Verdict.NOT_CONFORMS if row.item.pk == found
                       else row.final.verdict if row.final else Verdict.CONFORMS)
            services.spotcheck_item_judge(
                review=review, item_id=row.item.pk, by=committee, verdict=verdict,
                reason=("演示数据：证据中未见该制度的审批记录（示例）" if row.item.pk == found
                        else "演示数据：复核认可评审组判断（示例）"))
    services.spotcheck_complete(spot_check=spot_check, by=committee,
                                outcome="演示数据：一项判断偏松，已记录为发现（示例）")
    return spot_check


def load_spotcheck_demo(stdout: TextIO) -> None:
    lead = User.objects.filter(email=LEAD_EMAIL).first()
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if lead is None or member is None:
        stdout.write("reviews: no sample reviewers; the spot-check demo is skipped")
        return
    committee = demo_user(COMMITTEE_EMAIL)
    projects = [
        _decided_review(name, name_en, region, lead=lead, member=member, committee=committee,
                        dissent=n + 1)
        for n, (name, name_en, region) in enumerate(SAMPLE_DECIDED)
    ]
    if not all(projects):
        stdout.write("reviews: no published standard version; the spot-check demo is skipped")
        return
    spot_check = _completed_spot_check(committee)
    site = settings.SITE_URL.rstrip("/")
    if spot_check is not None:
        stdout.write(f"reviews: sample spot-check {spot_check.pk} completed with a finding: "
                     f"{site}{reverse('reviews:staff_spotcheck', args=[spot_check.pk])}")
    stdout.write(f"  draw a spot-check, re-judge, record a finding and suspend 吴评审 or 郑评审 "
                 f"({COMMITTEE_EMAIL}): {site}{reverse('reviews:staff_spotchecks')}")
    stdout.write(f"  reviewers' records: {site}{reverse('reviews:staff_reviewers')}; "
                 f"a reviewer's own: {site}{reverse('reviews:my_record')}")
