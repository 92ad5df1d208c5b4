"""Demo content for the review (idempotent). Each part of the review loads its own piece from
`load`."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import Organisation
from certification.services import credential_pdf_generate
from cms.models import StandardVersionPage

from . import services
from .models import ProjectState, ReviewProject

CERTIFIED_CENTRE = ("示范客户联络中心（示例）", "Model Customer Contact Centre (sample)", "上海")
CERTIFIED_SCOPE = "上海浦东呼入中心（示例）；成都远程坐席点（示例）"


def load(stdout: TextIO) -> None:
    load_certificate_demo(stdout)


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
