"""Demo content for the site: the home page as the site root (idempotent)."""

from __future__ import annotations

from typing import TextIO

from wagtail.models import Page, Site

from .models import HomePage


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
    return home


def load(stdout: TextIO) -> None:
    home_page_ensure()
    stdout.write("cms: home page ready")
