from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front page: what the platform offers, the standard, upcoming cohorts."""

    headline = models.CharField(_("headline"), max_length=200)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("headline_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
