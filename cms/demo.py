"""Demo content for the site: the home page as the site root (idempotent)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TextIO

from wagtail.models import Page, Site

from .models import GuidancePage, HomePage, NoticeIndexPage, TrainingNoticePage
from .services import (
    editor_page_permissions_ensure,
    standard_import_file,
    standard_index_ensure,
)

SAMPLE_STANDARD = Path(__file__).resolve().parent / "fixtures" / "yd-t-2823-2015-sample.yaml"


def home_page_ensure() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's own "Welcome to your new Wagtail site!" placeholder takes the slug "home";
        # our home page replaces it.
        for placeholder in root.get_children().exact_type(Page):
            if not placeholder.get_children().exists():
                placeholder.delete()
        root.refresh_from_db()
        home = HomePage(
            title="首页",
            slug="home",
            headline="CCSO 呼叫中心标准：培训、考试与注册认证",
            headline_en="The CCSO contact-centre standard: training, exams and credentials",
            intro="<p>免费阅读 YD/T 2823-2015 的全部模块与条目，参加三天的注册协调员培训，"
            "在线考试合格后获得可公开验证的证书。（示例内容）</p>",
            intro_en="<p>Read every module and item of YD/T 2823-2015 free of charge, take the "
            "three-day registered coordinator course, and earn a publicly verifiable "
            "credential by passing the online exam. (Sample content)</p>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="CCSO Academy"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "CCSO Academy"
        site.save()
    editor_page_permissions_ensure()
    return home


def guidance_and_notices_ensure(*, home: HomePage) -> None:
    index = standard_index_ensure(home=home)
    if not GuidancePage.objects.exists():
        guidance = GuidancePage(
            title="如何准备评审证据（示例）",
            title_en="Preparing evidence for a review (sample)",
            slug="preparing-evidence",
            summary="评审对每个条目判定符合或不符合；本页说明五类证据各自应如何准备。（示例内容）",
            summary_en="A review judges every item as conforming or not; this page explains how "
            "to prepare each of the five kinds of evidence. (Sample content)",
            body=[
                ("text", "<p>评审员依据文件、过程记录、数据、现场照片和签字访谈记录"
                 "五类证据作出判定。证据应真实、完整、可追溯。</p>"),
                ("callout", {"kind": "warning", "title": "数据复算",
                             "text": "<p>数据须连续12个月；评审员会抽取一个月，"
                             "从原始记录重新计算。</p>"}),
                ("table", {"first_row_is_table_header": True, "first_col_is_header": False,
                           "data": [["证据类型", "常见形式"],
                                    ["文件", "制度、流程、规划"],
                                    ["过程记录", "会议纪要、工单、培训签到"],
                                    ["数据", "连续12个月的系统报表"],
                                    ["现场照片", "看板、座席、应急设施"],
                                    ["签字访谈记录", "员工和管理者访谈"]]}),
            ],
            body_en=[
                ("text", "<p>Reviewers decide on five kinds of evidence: documents, process "
                 "records, data, on-site photos and signed interview records. Evidence must be "
                 "genuine, complete and traceable.</p>"),
                ("callout", {"kind": "warning", "title": "Recomputed data",
                             "text": "<p>Data cover 12 consecutive months; the reviewer "
                             "recomputes one month from the source records.</p>"}),
            ],
        )
        index.add_child(instance=guidance)
        guidance.save_revision().publish()
    notices = NoticeIndexPage.objects.first()
    if notices is None:
        notices = NoticeIndexPage(title="培训通知", title_en="Training notices", slug="notices")
        home.add_child(instance=notices)
        notices.save_revision().publish()
    if not TrainingNoticePage.objects.exists():
        notice = TrainingNoticePage(
            title="注册协调员培训开班通知（示例）",
            title_en="Registered coordinator course: new cohorts (sample)",
            slug="coordinator-course-cohorts",
            notice_date=datetime.date(2026, 11, 20),
            body=[("text", "<p>三天课程覆盖标准全部九个模块，结业后可参加在线考试。"
                   "近期班次见下方列表。（示例内容）</p>")],
            body_en=[("text", "<p>The three-day course covers all nine modules of the standard "
                      "and leads to the online exam. Upcoming cohorts are listed below. "
                      "(Sample content)</p>")],
        )
        notices.add_child(instance=notice)
        notice.save_revision().publish()


def load(stdout: TextIO) -> None:
    home = home_page_ensure()
    guidance_and_notices_ensure(home=home)
    report = standard_import_file(
        name=SAMPLE_STANDARD.name, content=SAMPLE_STANDARD.read_bytes(), user=None
    )
    editor_page_permissions_ensure()
    stdout.write("cms: home page, standard, guidance and notices ready")
    stdout.write("  " + report.lines()[0])
