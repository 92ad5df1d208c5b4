"""The open standard as a Wagtail page tree, plus guidance pages and training notices.

    HomePage (/)
    └── StandardIndexPage (/standard/)              versions, the current version's overview, search
        ├── StandardVersionPage (/standard/yd-t-2823-2015/)   one version; items/<code>/ and pdf/
        │   └── StandardModulePage (…/module-1/)               one of the 9 modules; print/
        │       └── StandardItem rows (inline)                 the items: the stable model
        └── GuidancePage
    └── NoticeIndexPage (/notices/) └── TrainingNoticePage

Items are a plain model (`StandardItem`) edited inline on their module page, so they share the
page's drafts, moderation, revisions and previews. The rows in the table are always the
*published* content (Wagtail keeps drafts in revisions), with stable primary keys across edits:
other apps (exam questions, review checklists) refer to `cms.StandardItem`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

MODULE_NAMES: dict[int, tuple[str, str]] = {
    1: ("规划及发展方向", "Planning and development direction"),
    2: ("人员管理", "People management"),
    3: ("现场管理", "On-site management"),
    4: ("流程管理", "Process management"),
    5: ("绩效管理", "Performance management"),
    6: ("客户价值与满意度", "Customer value and satisfaction"),
    7: ("技术管理", "Technology management"),
    8: ("网络与信息安全", "Network and information security"),
    9: ("客户权益保护", "Customer rights protection"),
}


def module_name(number: int) -> str:
    """The name of module `number` in the active language; English when none is active, as
    gettext gives its source (so migrations, written without a language, keep the English)."""
    chinese, english = MODULE_NAMES[number]
    language = get_language()
    return chinese if language and not language.startswith("en") else english


# The names as lazy labels (model choices, messages): read in the language of the moment.
MODULE_LABELS: dict[int, Any] = {number: lazy(module_name, str)(number) for number in MODULE_NAMES}

# The five kinds of evidence a review expects (field name suffix, label).
EVIDENCE_KINDS: list[tuple[str, Any]] = [
    ("documents", _("Documents")),
    ("records", _("Process records")),
    ("data", _("12 months of data")),
    ("photos", _("On-site photos")),
    ("interviews", _("Signed interviews")),
]

item_code_validator = RegexValidator(
    r"^\d+(\.\d+){1,3}$", _("An item code is numbers separated by dots, e.g. 4.2.3.")
)


def normalize_search_text(text: str) -> str:
    """Lower-case, full-width → half-width (NFKC), whitespace collapsed: both the stored
    search text and the query go through this, so `ＦＣＲ`, `fcr` and `FCR` match."""
    text = unicodedata.normalize("NFKC", strip_tags(text or "")).lower()
    return re.sub(r"\s+", " ", text).strip()


def localized(obj: Any, field: str, language: str | None = None) -> Any:
    """`obj.<field>_en` when the UI language is English and it is filled, else `obj.<field>`."""
    language = language or get_language() or "zh-hans"
    if language.startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


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
    subpage_types = ["cms.StandardIndexPage", "cms.GuidancePage", "cms.NoticeIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardIndexPage(RoutablePageMixin, Page):
    """/standard/: every version of the standard, the current one's overview, and search."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardVersionPage", "cms.GuidancePage"]
    max_count = 1

    class Meta:
        verbose_name = _("standard index")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.page_cache_context(request))
        context["index"] = selectors.LazyValue(lambda: selectors.standard_index(index=self))
        return context

    @path("search/", name="search")
    def search_view(self, request: Any) -> Any:
        from . import views

        return views.standard_search(request, index=self)


class StandardVersionPage(RoutablePageMixin, Page):
    """One version of the standard (e.g. YD/T 2823-2015). A revision is a new version page;
    the old one stays readable and is marked as superseded."""

    code = models.CharField(
        _("standard number"), max_length=40, unique=True, help_text=_("E.g. YD/T 2823-2015")
    )
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    publisher = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        help_text=_("The earlier version this one replaces; it stays readable, marked superseded."),
    )
    is_sample = models.BooleanField(
        _("sample content"),
        default=False,
        help_text=_("Demo text written for this site, not the published standard."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldRowPanel([FieldPanel("code"), FieldPanel("publisher")]),
        FieldRowPanel([FieldPanel("issued_on"), FieldPanel("effective_on")]),
        FieldPanel("supersedes"),
        FieldPanel("is_sample"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    parent_page_types = ["cms.StandardIndexPage"]
    subpage_types = ["cms.StandardModulePage"]

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        permissions = [("import_standard", _("Can import a standard from a file"))]

    def __str__(self) -> str:
        return self.code

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.page_cache_context(request))
        context["overview"] = selectors.LazyValue(
            lambda: selectors.version_overview(version=self)
        )
        return context

    # 4-2-3 is the form Wagtail's URL pattern (no dots) lets through; see cms/urls.py for 4.2.3.
    @re_path(r"^items/(?P<code>[0-9]+(?:[.-][0-9]+)+)/$", name="item")
    def item_view(self, request: Any, code: str) -> Any:
        from . import views

        return views.standard_item(request, version=self, code=code.replace("-", "."))

    @path("pdf/", name="pdf")
    def pdf_view(self, request: Any) -> Any:
        from . import views

        return views.standard_pdf(request, version=self)


class ModulePageForm(WagtailAdminPageForm):
    """Item codes must be unique within the whole version, not only within the module."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        formset = self.formsets.get("items")
        if formset is None or not formset.is_valid():
            return cleaned
        codes = [
            form.cleaned_data["code"]
            for form in formset.forms
            if form.cleaned_data.get("code") and not form.cleaned_data.get("DELETE")
        ]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            self.add_error(None, _("Codes used twice: %(codes)s.") % {"codes": ", ".join(twice)})
        self._check_removed_items_unreferenced(formset)
        parent = getattr(self, "parent_page", None)
        if codes and parent is not None:
            taken = sorted(
                set(
                    StandardItem.objects.filter(
                        code__in=codes,
                        module__path__startswith=parent.path,
                        module__depth=parent.depth + 1,
                    )
                    .exclude(module_id=self.instance.pk)
                    .values_list("code", flat=True)
                )
            )
            if taken:
                self.add_error(
                    None,
                    _("These codes belong to another module of this version: %(codes)s.")
                    % {"codes": ", ".join(taken)},
                )
        return cleaned


    def _check_removed_items_unreferenced(self, formset: Any) -> None:
        """An item that exam questions or lessons refer to stays until they point elsewhere."""
        from .selectors import items_referenced

        removed = {form.instance.pk: form.instance.code for form in formset.forms
                   if form.cleaned_data.get("DELETE") and form.instance.pk}
        referenced = items_referenced(ids=removed)
        if referenced:
            self.add_error(None, _(
                "These items cannot be removed while other records refer to them: %(items)s. "
                "Point those records at another item first."
            ) % {"items": "; ".join(f"{removed[pk]} ({', '.join(refs)})"
                                    for pk, refs in sorted(referenced.items()))})


class StandardModulePage(RoutablePageMixin, Page):
    """One of the nine modules of a version, with its items and the pass rate reviews use."""

    base_form_class = ModulePageForm

    number = models.PositiveSmallIntegerField(
        _("module number"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    pass_rate = models.DecimalField(
        _("pass rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of this module's items that must conform for a review to pass it."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldRowPanel([FieldPanel("number"), FieldPanel("pass_rate")]),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        InlinePanel("items", heading=_("Items"), label=_("Item")),
    ]
    parent_page_types = ["cms.StandardVersionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("standard module")
        verbose_name_plural = _("standard modules")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.page_cache_context(request))
        # In a preview the items are the draft's (in memory); on the live site they are read
        # with the rest of the module in a fixed number of queries.
        context["detail"] = selectors.LazyValue(
            lambda: selectors.module_detail(module=self, preview=request.is_preview)
        )
        return context

    @path("print/", name="print")
    def print_view(self, request: Any) -> Any:
        from . import views

        return views.module_print(request, module=self)


class StandardItem(Orderable):
    """One requirement of a module, judged 符合/不符合 in a review. The code (e.g. 4.2.3) is
    unique within a version; its permalink is <version URL>items/<code>/."""

    module = ParentalKey(
        StandardModulePage, on_delete=models.CASCADE, related_name="items", verbose_name=_("module")
    )
    code = models.CharField(_("code"), max_length=20, validators=[item_code_validator])
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    requirement = models.TextField(_("requirement"))
    requirement_en = models.TextField(_("requirement (English)"), blank=True)
    guidance = RichTextField(_("guidance"), blank=True, help_text=_("How to meet the requirement."))
    guidance_en = RichTextField(_("guidance (English)"), blank=True)
    evidence_documents = models.BooleanField(_("documents"), default=False)
    evidence_records = models.BooleanField(_("process records"), default=False)
    evidence_data = models.BooleanField(_("12 months of data"), default=False)
    evidence_photos = models.BooleanField(_("on-site photos"), default=False)
    evidence_interviews = models.BooleanField(_("signed interviews"), default=False)
    # Normalised code, titles, requirement and guidance in both languages; what search reads.
    search_text = models.TextField(editable=False, default="")

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("title"), FieldPanel("title_en")]),
        FieldPanel("requirement"),
        FieldPanel("requirement_en"),
        FieldPanel("guidance"),
        FieldPanel("guidance_en"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("evidence_documents"),
                        FieldPanel("evidence_records"),
                        FieldPanel("evidence_data"),
                        FieldPanel("evidence_photos"),
                        FieldPanel("evidence_interviews"),
                    ]
                )
            ],
            heading=_("Evidence a review expects"),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("standard item")
        verbose_name_plural = _("standard items")
        # Codes are unique within a version: checked by ModulePageForm and the importer rather
        # than a database constraint, because Wagtail saves a module's items one row at a time
        # and two items swapping codes would trip a constraint halfway through.
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived, not a business rule: keep the search column in step with the text, whichever
        # way the row is written (admin publish, importer).
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        parts = [
            self.code,
            self.title,
            self.title_en,
            self.requirement,
            self.requirement_en,
            self.guidance,
            self.guidance_en,
        ]
        return normalize_search_text(" | ".join(p for p in parts if p))

    @property
    def evidence(self) -> list[tuple[str, Any]]:
        return [(kind, label) for kind, label in EVIDENCE_KINDS if getattr(self, f"evidence_{kind}")
                ]

    @property
    def evidence_codes(self) -> list[str]:
        return [kind for kind, _label in self.evidence]


# --- Guidance pages and training notices -------------------------------------------------


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("info", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="info",
    )
    title = blocks.CharBlock(required=False)
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"
        label = _("Callout")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    description = blocks.CharBlock(required=False)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("Downloadable document")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", label=_("Heading"))
    text = blocks.RichTextBlock(label=_("Rich text"))
    callout = CalloutBlock()
    table = TableBlock(label=_("Table"), template="cms/blocks/table.html")
    document = DocumentBlock()


class GuidancePage(Page):
    """Guidance on meeting the standard: rich text, callouts, tables, documents."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(BodyBlock(), verbose_name=_("body (English)"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["cms.StandardIndexPage", "cms.GuidancePage", "cms.HomePage"]
    subpage_types = ["cms.GuidancePage"]

    class Meta:
        verbose_name = _("guidance page")


class NoticeIndexPage(Page):
    """/notices/: training notices, newest first."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    content_panels = [*Page.content_panels, FieldPanel("title_en")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.TrainingNoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("notice index")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = (
            TrainingNoticePage.objects.child_of(self).live().order_by("-notice_date", "-pk")
        )
        return context


class TrainingNoticePage(Page):
    """A training notice (e.g. next year's course calendar); lists the upcoming cohorts."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    notice_date = models.DateField(_("date"))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(BodyBlock(), verbose_name=_("body (English)"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("notice_date"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("training notice")
        verbose_name_plural = _("training notices")


class StandardPdf(models.Model):
    """A version's PDF in one language, rendered by a task when the version (or one of its
    modules) is published and kept in the storage (local media or the object store).

    `requested_at` is the last publish that changed what the PDF prints; `rendered_for` is the
    publish the stored file was typeset from. The file is current, and served, only when the two
    are equal: a file older than the last publish is never handed out as the standard."""

    version = models.ForeignKey(StandardVersionPage, on_delete=models.CASCADE,
                                related_name="pdfs", verbose_name=_("standard version"))
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), blank=True)
    requested_at = models.DateTimeField(_("publish to render"))
    rendered_for = models.DateTimeField(_("publish rendered"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard PDF")
        verbose_name_plural = _("standard PDFs")
        constraints = [models.UniqueConstraint(fields=["version", "language"],
                                               name="cms_standardpdf_one_per_language")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.language}"

    @property
    def is_current(self) -> bool:
        return bool(self.file) and self.rendered_for == self.requested_at
