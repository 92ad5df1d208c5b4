"""Demo content for the review (idempotent, all marked as sample): an applicant login
(applicant@demo.ccso), admin of a sample organisation with its review profile and sites, whose
application is paid (bank transfer, confirmed by courses@demo.ccso) and accepted, waiting for
certs@demo.ccso to run its draw; the sample reviewers, among them reviewer@demo.ccso, drawn
onto a sample review whose other members have signed the integrity agreement; a consolidated
sample review for the committee to decide; and a sample certified centre on the public list.
Each part of the review loads its own piece from `load`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_user
from accounts.models import Organisation, User
from certification import services as certification_services
from certification.models import ApplicationStatus, CentreType, ReviewerApplication
from certification.services import credential_pdf_generate
from cms.models import StandardVersionPage
from cms.selectors import version_current, version_items
from lms import services as lms_services

from . import selectors, services
from .conf import setting
from .demo_benchmark import load_benchmark_demo
from .demo_evidence import load_evidence_demo
from .demo_kpi import load_kpi_demo
from .demo_spotcheck import load_spotcheck_demo
from .models import (
    AgreementVersion,
    MemberRole,
    MemberState,
    OrganisationMember,
    OrganisationSite,
    ProjectState,
    ReviewProject,
    TeamRole,
    Verdict,
)

APPLICANT_EMAIL = "applicant@demo.ccso"
APPLICANT_ORGANISATION = "星辰银行客户服务中心（示例）"
SITES = [("北京总部（示例）", "北京市朝阳区示例大街1号", 320),
         ("成都分中心（示例）", "成都市高新区示例路8号", 180)]
# Sample reviewers, employed outside the applicant's conflict set: email, name, pinyin,
# employer, past reviews (two or more qualify to lead).
# The demo reviewer signs the agreement with their name as it is here.
DEMO_REVIEWER = "reviewer@demo.ccso"
SAMPLE_REVIEWERS = [
    (DEMO_REVIEWER, "周评审", "ZHOU Pingshen", "远景呼叫中心", 3),
    ("reviewer.wu@demo.ccso", "吴评审", "WU Pingshen", "蓝海客户服务有限公司", 1),
    ("reviewer.zheng@demo.ccso", "郑评审", "ZHENG Pingshen", "远景呼叫中心", 0),
]
CONSOLIDATED_CENTRE = ("晨光客服中心（示例）", "Dawn Contact Centre (sample)")
REVIEWED_CENTRE = ("星河客服中心（示例）", "Galaxy Contact Centre (sample)")
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
CERTIFIED_CENTRE = ("示范客户联络中心（示例）", "Model Customer Contact Centre (sample)", "上海")
CERTIFIED_SCOPE = "上海浦东呼入中心（示例）；成都远程坐席点（示例）"
FAPIAO = {"company_name": APPLICANT_ORGANISATION, "taxpayer_id": "91110105MA00DEM013",
          "address": "北京市朝阳区示例大街1号 010-00000000", "bank": "示例银行 0000 0000 0000",
          "email": "finance@demo.ccso"}


def _user(email: str, name_zh: str, name_en: str, employer: Organisation | None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name_zh=name_zh,
                                        name_en=name_en, organisation=employer)
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    return user


def sample_reviewers_ensure() -> list[User]:
    """Registered reviewers made through certification's own path (coordinator credential,
    reviewer application with work history, promotion)."""
    admin = demo_user("certs@demo.ccso")
    reviewers = []
    for email, name_zh, name_en, employer_name, reviews in SAMPLE_REVIEWERS:
        employer, _created = Organisation.objects.get_or_create(name=employer_name)
        user = _user(email, name_zh, name_en, employer)
        certification_services.credential_issue_for_pass(
            user_id=user.pk, source_key=f"demo:{email}", exam_score=Decimal("88.00"),
            passed_at=timezone.now())
        if not ReviewerApplication.objects.filter(applicant=user).exists():
            certification_services.reviewer_application_submit(
                applicant=user,
                positions=[{"organisation_name": employer_name, "role": "运营经理（示例）",
                            "start_date": dt.date(2015, 3, 1), "end_date": None,
                            "centre_type": CentreType.IN_HOUSE, "seats_managed": 150,
                            "management_level": 3}],
                reviews=[{"title": f"{2020 + n} 年度呼叫中心评审（示例）",
                          "organisation_name": "某客服中心（示例）", "role": "评审组成员",
                          "year": 2020 + n} for n in range(reviews)],
                attested=True)
        pending = ReviewerApplication.objects.filter(
            applicant=user, status=ApplicationStatus.PENDING).first()
        if pending is not None:
            certification_services.reviewer_applications_promote(
                application_ids=[pending.pk], actor=admin, reason="演示数据：示例评审员")
        reviewers.append(user)
    return reviewers


def _applicant_organisation(applicant: User) -> Organisation:
    organisation = Organisation.objects.filter(name=APPLICANT_ORGANISATION).first()
    if organisation is None:
        organisation = services.organisation_register(
            user=applicant, name=APPLICANT_ORGANISATION, credit_code=FAPIAO["taxpayer_id"])
    OrganisationMember.objects.get_or_create(organisation=organisation, user=applicant,
                                             defaults={"role": MemberRole.ADMIN})
    if not hasattr(organisation, "review_profile"):
        services.profile_save(organisation=organisation, by=applicant, industry="banking",
                              centre_type=CentreType.IN_HOUSE, seats=500,
                              channels=["voice", "online_chat", "social", "self_service"])
    for name, address, seats in SITES:
        if not OrganisationSite.objects.filter(organisation=organisation, name=name).exists():
            services.site_add(organisation=organisation, by=applicant, name=name,
                              address=address, seats=seats)
    return organisation


def _accepted_application(organisation: Organisation, applicant: User) -> ReviewProject | None:
    project = ReviewProject.objects.filter(organisation=organisation).order_by("pk").first()
    if project is not None:
        return project
    version = selectors.published_standard_versions().first()
    if version is None:
        return None
    coordinator = demo_user("trainee2@demo.ccso")
    project = services.application_create(
        organisation=organisation, by=applicant,
        data=services.ApplicationData(
            standard_version_id=version.pk,
            site_ids=list(selectors.organisation_sites(organisation.pk)
                          .values_list("pk", flat=True)),
            coordinators=[coordinator.email], declared_true=True))
    payment = services.fee_checkout_start(project=project, by=applicant,
                                          provider="bank_transfer", fapiao=FAPIAO).payment
    lms_services.bank_transfer_confirm(
        payment_id=payment.pk, by=demo_user("courses@demo.ccso"), amount_received=payment.amount,
        received_on=timezone.localdate())
    return services.project_accept(project=project, by=demo_user("certs@demo.ccso"))


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


def load_judgement_demo(stdout: TextIO, reviewers: list[User]) -> None:
    version = version_current()
    if version is None:
        return
    now = timezone.now()
    AgreementVersion.objects.get_or_create(
        number=1, defaults={"text": AGREEMENT_TEXT, "text_en": AGREEMENT_TEXT_EN,
                            "published_at": now})
    admin = demo_user("certs@demo.ccso")
    applicant, _ = Organisation.objects.get_or_create(
        name=REVIEWED_CENTRE[0], defaults={"name_en": REVIEWED_CENTRE[1], "region": "四川"})
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


def load_decision_demo(stdout: TextIO) -> None:
    """A sample review its team has judged (every item conforms) and its lead consolidated,
    waiting for the expert committee's decision; deciding it issues the certificate."""
    version = version_current()
    if version is None:
        return
    centre, _ = Organisation.objects.get_or_create(
        name=CONSOLIDATED_CENTRE[0], defaults={"name_en": CONSOLIDATED_CENTRE[1],
                                               "region": "浙江"})
    project = ReviewProject.objects.filter(organisation=centre).first()
    if project is None:
        project = ReviewProject.objects.create(
            organisation=centre, standard_version=version, state=ProjectState.ACCEPTED,
            scope="杭州呼入中心（示例）")
        services.draw_run(project=project, by=demo_user("certs@demo.ccso"))
        for member in selectors.team_drawn_members(project):
            services.agreement_accept(member=member, no_conflict=True, ip_address=None,
                                      full_name=member.reviewer.name_zh or member.reviewer.name_en)
        lead = selectors.project_lead(project)
        assert lead is not None
        for item in version_items(version=version):
            services.final_judgement_record(member=lead, item=item, verdict=Verdict.CONFORMS,
                                            reason="演示数据：证据齐全，符合要求（示例）")
        services.project_consolidate(member=lead)
        project.refresh_from_db()
    stdout.write(f"reviews: the sample review of {centre.name} is {project.get_state_display()}; "
                 "decide it (committee@demo.ccso): /reviews/staff/decisions/")


def load(stdout: TextIO) -> None:
    reviewers = sample_reviewers_ensure()
    load_judgement_demo(stdout, reviewers)
    load_kpi_demo(stdout)
    load_evidence_demo(stdout)
    load_decision_demo(stdout)
    load_application_demo(stdout, reviewers)
    load_certificate_demo(stdout)
    load_benchmark_demo(stdout)
    load_spotcheck_demo(stdout)


def load_application_demo(stdout: TextIO, reviewers: list[User]) -> None:
    applicant = _user(APPLICANT_EMAIL, "赵申请（示例）", "ZHAO Shenqing", None)
    organisation = _applicant_organisation(applicant)
    project = _accepted_application(organisation, applicant)
    stdout.write(f"reviews: demo applicant {APPLICANT_EMAIL} (password {DEMO_PASSWORD}), admin "
                 f"of {organisation.name}: /reviews/organisations/{organisation.pk}/")
    stdout.write(f"  {len(reviewers)} sample reviewers added to the pool "
                 f"(team size {setting('REVIEWS_TEAM_SIZE')})")
    if project is None:
        stdout.write("  no published standard version: no demo application")
        return
    stdout.write(f"  application {project.reference} ({project.get_state_display()}): "
                 f"/reviews/applications/{project.pk}/")
    stdout.write(f"  run its draw (certs@demo.ccso): /reviews/staff/projects/{project.pk}/draw/")
    stdout.write("  applications to check (certs@demo.ccso): /reviews/staff/projects/")


def load_certificate_demo(stdout: TextIO) -> None:
    """One sample organisation the committee decided to certify, its certificate issued (with
    its PDF), so that the public list has an entry and its number verifies."""
    name, name_en, region = CERTIFIED_CENTRE
    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"name_en": name_en, "region": region})
    version = StandardVersionPage.objects.filter(is_sample=True).order_by("pk").first()
    if version is None:
        stdout.write("reviews: no sample standard version; the certified centre is skipped")
        return
    project = ReviewProject.objects.filter(organisation=organisation).first()
    if project is None:
        # Its application, draw and judgement are the other review demos' part: this one
        # starts where the committee has decided.
        project = ReviewProject.objects.create(
            organisation=organisation, standard_version=version, scope=CERTIFIED_SCOPE,
            state=ProjectState.CERTIFIED)
    credential = services.project_certificate_issue(
        project=project, actor=demo_user("certs@demo.ccso"), today=timezone.localdate())
    credential_pdf_generate(credential_id=credential.pk)
    site = settings.SITE_URL.rstrip("/")
    stdout.write(f"reviews: sample certified centre {name} holds {credential.number}")
    stdout.write(f"  public list: {site}{reverse('reviews:certified')}")
    stdout.write(f"  verify: {credential.verification_url()}")
    stdout.write("  centre certificates (certs@demo.ccso): "
                 f"{site}{reverse('reviews:staff_certificates')}")
