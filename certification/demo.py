"""Demo content for certification (idempotent): an affiliation graph, coordinators with
credentials and PDFs, pending reviewer applications with work history, one reviewer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_user
from accounts.models import Organisation, User

from . import services
from .models import AffiliationKind, ApplicationStatus, CentreType, ReviewerApplication

DEMO_EVIDENCE = Path(__file__).resolve().parent / "fixtures" / "demo-attendance.pdf"
ORGANISATIONS = [
    # name, English name, region
    ("示例客服中心有限公司", "Sample Contact Centre Ltd.", "北京"),
    ("华信控股集团", "Huaxin Holdings", "上海"),
    ("华信外包服务有限公司", "Huaxin Outsourcing Services", "江苏"),
    ("远景呼叫中心", "Vista Call Centre", "广东"),
    ("蓝海客户服务有限公司", "Blue Ocean Customer Service", "浙江"),
]
AFFILIATIONS = [
    ("华信控股集团", AffiliationKind.PARENT, "华信外包服务有限公司"),
    ("华信控股集团", AffiliationKind.PARENT, "示例客服中心有限公司"),
    ("远景呼叫中心", AffiliationKind.PARTNER, "华信外包服务有限公司"),
]
# email, name, pinyin, employer, exam score, positions, reviews
EXTRA_COORDINATORS = [
    ("wang.fang@demo.ccso", "王芳", "WANG Fang", "蓝海客户服务有限公司", "91.00",
     [("蓝海客户服务有限公司", "运营总监", dt.date(2014, 3, 1), None,
       CentreType.OUTSOURCED, 600, 4)],
     [("2024 年度呼叫中心评审", "远景呼叫中心", "评审组成员", 2024)]),
    ("chen.jie@demo.ccso", "陈杰", "CHEN Jie", "远景呼叫中心", "78.50",
     [("远景呼叫中心", "现场主管", dt.date(2019, 6, 1), None, CentreType.IN_HOUSE, 80, 2)],
     []),
]


def _ensure_user(email: str, name_zh: str, name_en: str, employer: Organisation) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name_zh=name_zh,
                                        name_en=name_en, organisation=employer,
                                        job_title="客服中心经理")
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    return user


def _apply(user: User, positions: list, reviews: list) -> None:
    if ReviewerApplication.objects.filter(applicant=user).exists():
        return
    services.reviewer_application_submit(
        applicant=user,
        positions=[{"organisation_name": org, "role": role, "start_date": start,
                    "end_date": end, "centre_type": kind, "seats_managed": seats,
                    "management_level": level}
                   for org, role, start, end, kind, seats, level in positions],
        reviews=[{"title": t, "organisation_name": o, "role": r, "year": y}
                 for t, o, r, y in reviews],
        attested=True,
    )


def load(stdout: TextIO) -> None:
    orgs = {}
    for name, name_en, region in ORGANISATIONS:
        org, _created = Organisation.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "region": region})
        orgs[name] = org
    for a, kind, b in AFFILIATIONS:
        services.affiliation_record(organisation=orgs[a], kind=kind, other=orgs[b], actor=None,
                                    note="demo")

    now = timezone.now()
    coordinator = demo_user("trainee2@demo.ccso")
    credential = services.credential_issue_for_pass(
        user_id=coordinator.pk, source_key=f"demo:{coordinator.email}",
        exam_score=Decimal("86.50"), passed_at=now)
    services.credential_pdf_generate(credential_id=credential.pk)
    if not credential.registry_listed:
        services.credential_registry_listing_set(credential=credential, holder=coordinator,
                                                 listed=True)
    _apply(coordinator,
           [("示例客服中心有限公司", "客服中心经理", dt.date(2016, 9, 1), None,
             CentreType.IN_HOUSE, 200, 3),
            ("华信外包服务有限公司", "班组长", dt.date(2012, 7, 1), dt.date(2016, 8, 31),
             CentreType.OUTSOURCED, 15, 1)],
           [("2023 年度内部质量审核", "示例客服中心有限公司", "审核员", 2023),
            ("2025 年度呼叫中心评审", "蓝海客户服务有限公司", "观察员", 2025)])

    for email, name_zh, name_en, employer, score, positions, reviews in EXTRA_COORDINATORS:
        user = _ensure_user(email, name_zh, name_en, orgs[employer])
        extra = services.credential_issue_for_pass(
            user_id=user.pk, source_key=f"demo:{email}", exam_score=Decimal(score),
            passed_at=now)
        services.credential_pdf_generate(credential_id=extra.pk)
        _apply(user, positions, reviews)

    # One reviewer already promoted, so the conflict selector has someone to answer with.
    admin = demo_user("certs@demo.ccso")
    wang = User.objects.get(email="wang.fang@demo.ccso")
    pending = ReviewerApplication.objects.filter(applicant=wang,
                                                 status=ApplicationStatus.PENDING).first()
    if pending is not None:
        services.reviewer_applications_promote(application_ids=[pending.pk], actor=admin,
                                               reason="演示数据：评审经验丰富")

    if not credential.education_records.exists():
        services.credential_education_add(
            credential=credential, holder=coordinator, title="呼叫中心客户体验管理研修（示例）",
            provider="示例培训机构", completed_on=timezone.localdate() - dt.timedelta(days=20),
            hours=Decimal("8"),
            evidence=SimpleUploadedFile("attendance.pdf", DEMO_EVIDENCE.read_bytes()))

    credential.refresh_from_db()
    stdout.write("certification: demo coordinator 李四 (trainee2@demo.ccso) holds "
                 f"{credential.number}")
    stdout.write(f"  verify: {credential.verification_url()}")
    # Open Badges: the installation's signing key (generated once, kept in the database) and the
    # credential's status-list place, so the badge downloads and verifies at once.
    services.issuer_key_ensure()
    services.credential_openbadge_prepare(credential=credential)
    stdout.write(f"  badge (trainee2@demo.ccso): /credentials/{credential.pk}/badge/ · "
                 "verify a badge file: /credentials/verify/badge/")
    stdout.write("  reviewer candidates (certs@demo.ccso): /credentials/staff/candidates/")
    stdout.write("  hours to review (certs@demo.ccso): /credentials/staff/education/")
