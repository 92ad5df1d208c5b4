"""Demo content for the review (idempotent), all marked as sample: a published integrity
agreement and a project in team_drawn on which the demo reviewer (reviewer@demo.ccso) is drawn,
by the real draw, with the rest of the team already signed, so that a newcomer signs the
agreement (which starts document review) and judges items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_user
from accounts.models import Organisation, User
from certification import services as certification_services
from certification.models import ApplicationStatus, CentreType, ReviewerApplication
from cms.selectors import version_current

from . import selectors, services
from .models import AgreementVersion, MemberState, ProjectState, ReviewProject, TeamRole

DEMO_REVIEWER = "reviewer@demo.ccso"
APPLICANT = ("星河客服中心（示例）", "Galaxy Contact Centre (sample)")
REVIEWERS_EMPLOYER = ("示例评审员事务所（示例）", "Sample Reviewers' Practice (sample)")
# email, name, pinyin, past reviews (2 qualify to lead)
SAMPLE_REVIEWERS = [
    (DEMO_REVIEWER, "周评审", "ZHOU Pingshen", 2),
    ("reviewer2@demo.ccso", "吴评审", "WU Pingshen", 1),
    ("reviewer3@demo.ccso", "郑评审", "ZHENG Pingshen", 0),
]
AGREEMENT_TEXT = """（示例文本）评审员诚信协议

一、本人独立、客观、公正地开展评审，依据标准条目和证据作出判断，不受任何组织或个人影响。
二、本人与受评审组织及其集团、合作伙伴、咨询机构不存在利益冲突；如发现冲突，立即告知认证管理员并退出评审。
三、本人对评审中接触的资料和数据保密，不复制、不外传、不用于评审以外的目的。
四、本人不收受受评审组织的任何礼品、报酬或其他利益。"""
AGREEMENT_TEXT_EN = """(Sample text) Reviewer's integrity agreement

1. I review independently, objectively and impartially, on the standard's items and the
evidence, free of any organisation's or person's influence.
2. I have no conflict of interest with the applicant, its group, partners or consultants; if one
arises I tell the certification admins at once and withdraw.
3. I keep what I see in the review confidential and use it for nothing else.
4. I accept no gift, payment or other benefit from the applicant."""


def _reviewer(email: str, name_zh: str, name_en: str, reviews: int,
              employer: Organisation, admin: User) -> User:
    """A registered reviewer as the platform makes one: a coordinator's credential, an
    application with work history, promoted by the certification admin."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name_zh=name_zh,
                                        name_en=name_en, organisation=employer,
                                        job_title="质量经理")
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    certification_services.credential_issue_for_pass(
        user_id=user.pk, source_key=f"demo:{email}", exam_score=Decimal("88.00"),
        passed_at=timezone.now())
    if not ReviewerApplication.objects.filter(applicant=user).exists():
        certification_services.reviewer_application_submit(
            applicant=user,
            positions=[{"organisation_name": employer.name, "role": "质量经理",
                        "start_date": dt.date(2015, 3, 1), "end_date": None,
                        "centre_type": CentreType.OUTSOURCED, "seats_managed": 120,
                        "management_level": 3}],
            reviews=[{"title": f"{2023 + n} 年度呼叫中心评审（示例）",
                      "organisation_name": "某呼叫中心", "role": "评审员", "year": 2023 + n}
                     for n in range(reviews)],
            attested=True)
    pending = ReviewerApplication.objects.filter(applicant=user,
                                                 status=ApplicationStatus.PENDING).first()
    if pending is not None:
        certification_services.reviewer_applications_promote(
            application_ids=[pending.pk], actor=admin, reason="演示数据：示例评审员")
    return user


def _draw_with(project: ReviewProject, reviewer: User, admin: User) -> None:
    """The real draw. Other demos may add reviewers to the pool, so the demo reviewer is not
    certain to be drawn: until they are, a drawn sample member declines (audited as sample) and
    the real redraw fills the place from the rest of the frozen pool, which still holds them."""
    services.draw_run(project=project, by=admin)
    while not project.members.filter(reviewer=reviewer, state=MemberState.DRAWN).exists():
        other = (project.members.filter(state=MemberState.DRAWN, role=TeamRole.MEMBER)
                 .order_by("id").first())
        if other is None or services.team_member_decline(
                member=other, reason="演示数据：示例谢绝，为演示评审员腾出名额") is None:
            return


def load_judgement_demo(stdout: TextIO) -> None:
    version = version_current()
    if version is None:
        return
    now = timezone.now()
    AgreementVersion.objects.get_or_create(
        number=1, defaults={"text": AGREEMENT_TEXT, "text_en": AGREEMENT_TEXT_EN,
                            "published_at": now})
    admin = demo_user("certs@demo.ccso")
    employer, _ = Organisation.objects.get_or_create(
        name=REVIEWERS_EMPLOYER[0], defaults={"name_en": REVIEWERS_EMPLOYER[1]})
    reviewers = [_reviewer(email, name_zh, name_en, reviews, employer, admin)
                 for email, name_zh, name_en, reviews in SAMPLE_REVIEWERS]
    applicant, _ = Organisation.objects.get_or_create(
        name=APPLICANT[0], defaults={"name_en": APPLICANT[1], "region": "四川"})
    project = ReviewProject.objects.filter(organisation=applicant).first()
    if project is None:
        project = ReviewProject.objects.create(
            organisation=applicant, standard_version=version, state=ProjectState.ACCEPTED,
            scope="成都总部（示例）")
        _draw_with(project, reviewers[0], admin)
        for member in selectors.team_drawn_members(project):
            if member.reviewer_id != reviewers[0].pk:
                services.agreement_accept(
                    member=member, no_conflict=True, ip_address=None,
                    full_name=member.reviewer.name_zh or member.reviewer.name_en)
    project.refresh_from_db()
    stdout.write(f"reviews: demo reviewer 周评审 ({DEMO_REVIEWER}) is drawn for the sample "
                 f"review of {applicant.name} ({project.get_state_display()})")
    stdout.write(f"  sign the agreement and judge: /reviews/projects/{project.pk}/")
    stdout.write("  committee decisions (committee@demo.ccso): /reviews/staff/decisions/")


def load(stdout: TextIO) -> None:
    load_judgement_demo(stdout)
