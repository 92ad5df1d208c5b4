"""Demo evidence for the sample review of 星河客服中心（示例） (`demo.load_judgement_demo` makes
the project; idempotent, all marked 示例): its contact (galaxy@demo.ccso) uploads generated
sample PDFs (WeasyPrint, Chinese text) through the real upload service, so their pages are
rendered for the watermarked viewer; a signed member of the team has taken photos (Pillow) on
two items and left a note and a signed interview on one.

The team captures on site only in document and on-site review; the demo project waits in team
drawn for reviewer@demo.ccso to sign (README's walk-through), so the on-site records are stored
here as the capture service stores them, without its state check."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from typing import TextIO

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageDraw

from accounts.demo import DEMO_PASSWORD
from accounts.models import Organisation, User
from cms.models import StandardItem
from cms.selectors import version_items

from . import selectors, services
from .evidence_files import _font, photo_check, signature_check
from .models import (
    APPLICANT_EVIDENCE_KINDS,
    EvidenceFile,
    MemberRole,
    OnsiteKind,
    OnsiteRecord,
    OrganisationMember,
    ReviewProject,
    TeamMember,
)
from .services.evidence import _version_store

CENTRE = "星河客服中心（示例）"
CONTACT = ("galaxy@demo.ccso", "孙联络（示例）", "SUN Lianluo")
DOCUMENTS = [
    ("客户服务中心年度经营计划（示例）", ["一、年度目标：服务水平 80/20，接通率不低于 95%。",
                              "二、重点工作：智能排班上线、知识库改版、员工关怀计划。",
                              "三、预算与资源：坐席 320 席，年度培训 40 学时/人。"]),
    ("排班与现场管理制度（示例）", ["第一条 话务预测按 30 分钟粒度，每周滚动更新。",
                            "第二条 班组长每小时巡查现场并记录异常。",
                            "第三条 突发话务高峰启动应急预案，15 分钟内增派人力。"]),
    ("质量监控记录汇总（示例）", ["抽检比例：每名坐席每月不少于 8 通。",
                           "评分维度：开场、倾听、解决、合规、结束语。",
                           "本月平均质检得分 92.4 分（示例数据）。"]),
]
PHOTOS = [("班组看板与当日排班表（示例）", "#1f77b4"), ("应急预案演练现场（示例）", "#2ca02c")]


def _contact(organisation: Organisation) -> User:
    email, name_zh, name_en = CONTACT
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name_zh=name_zh,
                                        name_en=name_en, organisation=organisation)
    OrganisationMember.objects.get_or_create(organisation=organisation, user=user,
                                             defaults={"role": MemberRole.ADMIN})
    return user


def sample_pdf(title: str, lines: list[str]) -> bytes:
    """A two-page sample document in Chinese, marked 示例."""
    from weasyprint import HTML

    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = f"""<html><head><style>
      @page {{ size: A4; margin: 25mm;
               @bottom-center {{ content: "示例文件 · 第 " counter(page) " 页"; }} }}
      body {{ font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; font-size: 13pt; }}
      h1 {{ font-size: 20pt; }} .stamp {{ color: #b22; border: 2px solid #b22; padding: 4px 10px;
      display: inline-block; }}
    </style></head><body>
      <p class="stamp">示例 · 演示数据</p><h1>{escape(title)}</h1>{paragraphs}
      <h2 style="page-break-before: always">附：执行记录（示例）</h2>
      <p>本页为演示用示例内容，不代表任何真实组织。</p>{paragraphs}
    </body></html>"""
    return bytes(HTML(string=html).write_pdf())


def sample_photo(caption: str, colour: str) -> bytes:
    """A generated "photo" (JPEG) with its caption and 示例 on it."""
    image = Image.new("RGB", (1280, 960), "#e8edf3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 120, 1200, 700), fill=colour)
    for row in range(4):
        draw.rectangle((140, 180 + row * 120, 1140, 260 + row * 120), fill="#ffffff")
    font = _font(48)
    draw.text((80, 760), caption, fill="#10243e", font=font)
    draw.text((80, 840), "示例照片 · 演示数据", fill="#b22222", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def sample_signature() -> bytes:
    image = Image.new("RGB", (600, 240), "white")
    ImageDraw.Draw(image).line(
        [(40, 170), (120, 60), (170, 190), (240, 80), (300, 170), (380, 90), (460, 160),
         (560, 120)], fill="#10243e", width=5, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _applicant_files(project: ReviewProject, contact: User, items: list[StandardItem]) -> int:
    expecting = [item for item in items
                 if any(kind in APPLICANT_EVIDENCE_KINDS for kind in item.evidence_codes)]
    added = 0
    for item, (title, lines) in zip(expecting, DOCUMENTS, strict=False):
        kind = next(k for k in item.evidence_codes if k in APPLICANT_EVIDENCE_KINDS)
        content = sample_pdf(title, lines)
        services.evidence_upload(project=project, item=item, kind=kind, title=title,
                                 upload=io.BytesIO(content), name=f"{title}.pdf",
                                 size=len(content), by=contact)
        added += 1
    return added


def _record(*, member: TeamMember, item: StandardItem, kind: str, now: dt.datetime,
            **fields: object) -> OnsiteRecord:
    return OnsiteRecord(project=member.project, item=item, kind=kind, client_uuid=uuid.uuid4(),
                        captured_by=member.reviewer, captured_at=now - dt.timedelta(minutes=5),
                        received_at=now, **fields)


def _onsite(project: ReviewProject, member: TeamMember, items: list[StandardItem]) -> None:
    now = timezone.now()
    with_photos = ([i for i in items if i.evidence_photos] + items)[:len(PHOTOS)]
    for item, (caption, colour) in zip(with_photos, PHOTOS, strict=False):
        checked = photo_check(io.BytesIO(sample_photo(caption, colour)), size=None)
        evidence = EvidenceFile.objects.create(project=project, item=item, kind="photos",
                                               title=caption, created_by=member.reviewer,
                                               created_at=now)
        _version_store(evidence=evidence, checked=checked, name="IMG_示例.jpg",
                       by=member.reviewer, request=None, now=now)
        _record(member=member, item=item, kind=OnsiteKind.PHOTO, now=now, text=caption,
                photo=evidence).save()
    item = ([i for i in items if i.evidence_interviews] + items)[0]
    _record(member=member, item=item, kind=OnsiteKind.NOTE, now=now,
            text="（示例）现场查看班组看板：当日排班表已张贴，与系统排班一致；"
                 "应急联系人名单为上月版本，建议更新。").save()
    png = signature_check(sample_signature())
    interview = _record(
        member=member, item=item, kind=OnsiteKind.INTERVIEW, now=now,
        interviewee_name="陈班长（示例）", interviewee_role="一线班组长",
        interviewed_at=now - dt.timedelta(minutes=20),
        answers=[{"question": "话务高峰时如何调整排班？",
                  "answer": "按预测提前一周排班；当天超出预测 10% 时启动弹性班次。（示例）"},
                 {"question": "新员工上岗前接受哪些培训？",
                  "answer": "两周岗前培训，考核通过后在导师陪同下上线。（示例）"}],
        signature_sha256=hashlib.sha256(png).hexdigest())
    interview.signature.save("signature.png", ContentFile(png), save=False)
    interview.save()


def load_evidence_demo(stdout: TextIO) -> None:
    project = (ReviewProject.objects.filter(organisation__name=CENTRE)
               .select_related("organisation", "standard_version").first())
    if project is None:
        return
    contact = _contact(project.organisation)
    items = list(version_items(version=project.standard_version))
    if not project.evidence.filter(kind__in=APPLICANT_EVIDENCE_KINDS).exists():
        if selectors.evidence_is_frozen(project):
            stdout.write("reviews: the sample review's evidence is frozen; no demo files added")
        else:
            _applicant_files(project, contact, items)
    signed = [m for m in selectors.team_drawn_members(project) if hasattr(m, "agreement")]
    if signed and not project.onsite_records.exists():
        _onsite(project, signed[0], items)
    stdout.write(f"reviews: {project.evidence.count()} evidence files (sample PDFs and photos) "
                 f"and {project.onsite_records.count()} on-site records on the sample review of "
                 f"{CENTRE}; its contact {CONTACT[0]} sees them on "
                 f"/reviews/projects/{project.pk}/evidence/")
