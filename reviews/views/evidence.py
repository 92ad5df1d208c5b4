"""Evidence pages: a project's evidence per item (the applicant uploads, the team views), the
page-by-page viewer and its watermarked page images, the applicant's originals, the lead's
request for more evidence, and the certification admins' log of page views.

Anyone who is neither the applicant nor allowed to view (`selectors.evidence_open_to`) gets
404, so a project's evidence is not even shown to exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from cms.models import StandardItem
from cms.selectors import version_items
from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..evidence_files import PAGE_IMAGE_TYPE
from ..forms import EvidenceFileForm, EvidenceRequestForm, EvidenceUploadForm
from ..models import (
    EvidenceFile,
    EvidenceVersion,
    MemberState,
    ReviewProject,
    TeamRole,
    ViewChannel,
)

VIEW_LOG_PERM = "reviews.view_evidencepageview"
ADDED = gettext_lazy("The evidence is added; its pages are being prepared for viewing.")


def page_image_response(image: bytes) -> HttpResponse:
    """A watermarked page as served on the web and the API: shown inline, never stored by a
    cache or the browser, never offered as a download."""
    response = HttpResponse(image, content_type=PAGE_IMAGE_TYPE)
    add_never_cache_headers(response)
    return response


def original_response(version: EvidenceVersion) -> FileResponse:
    """The applicant's own original, as uploaded."""
    response = FileResponse(version.original.open("rb"), as_attachment=True,
                            filename=version.original_name, content_type=version.content_type)
    add_never_cache_headers(response)
    return response


def _project(pk: int) -> ReviewProject:
    return get_object_or_404(
        ReviewProject.objects.select_related("organisation", "standard_version"), pk=pk)


def _is_lead(user: User, project: ReviewProject) -> bool:
    return selectors.project_team(project).filter(
        reviewer=user, role=TeamRole.LEAD, state=MemberState.DRAWN).exists()


@login_required
@never_cache
def project_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Each item with the kinds of evidence it expects, what is supplied and what is missing:
    the applicant adds files and versions; the team and the committee open them to view."""
    project = _project(pk)
    applicant = selectors.can_act_for_applicant(request.user, project)
    if not applicant and not selectors.evidence_open_to(request.user, project):
        raise Http404
    today = timezone.localdate()
    rows = selectors.project_evidence(project, today=today, with_onsite=not applicant)
    is_lead = not applicant and _is_lead(request.user, project)
    return render(request, "reviews/evidence.html", {
        "project": project, "applicant": applicant, "is_lead": is_lead,
        "rows": [(row, EvidenceUploadForm(kinds=row.expected)
                  if applicant and row.is_open else None) for row in rows],
        "frozen": selectors.evidence_is_frozen(project),
        "requests": project.evidence_requests.prefetch_related("items"),
        "version_form": EvidenceFileForm(),
        "request_form": (EvidenceRequestForm(items=version_items(
            version=project.standard_version)) if is_lead else None),
    })


@login_required
@require_POST
def evidence_upload(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    project = _project(pk)
    if not selectors.can_act_for_applicant(request.user, project):
        raise Http404
    item = get_object_or_404(StandardItem, pk=item_pk)
    form = EvidenceUploadForm(request.POST, request.FILES,
                              kinds=[(kind, kind) for kind, _label in item.evidence])
    if not form.is_valid():
        messages.error(request, _("Choose the kind of evidence and a file."))
        return redirect("reviews:evidence", pk=project.pk)
    upload = form.cleaned_data["file"]
    try:
        services.evidence_upload(project=project, item=item, kind=form.cleaned_data["kind"],
                                 title=form.cleaned_data["title"], upload=upload,
                                 name=upload.name, size=upload.size, by=request.user)
    except services.ReviewError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ADDED)
    return redirect("reviews:evidence", pk=project.pk)


@login_required
@require_POST
def evidence_version_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(EvidenceFile.objects.select_related("project"), pk=pk)
    if not selectors.can_act_for_applicant(request.user, evidence.project):
        raise Http404
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("reviews:evidence", pk=evidence.project_id)
    upload = form.cleaned_data["file"]
    try:
        services.evidence_version_add(evidence=evidence, upload=upload, name=upload.name,
                                      size=upload.size, by=request.user)
    except services.ReviewError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ADDED)
    return redirect("reviews:evidence", pk=evidence.project_id)


@login_required
@require_POST
def evidence_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lead asks for more evidence on named items by a due date."""
    project = _project(pk)
    if not selectors.evidence_open_to(request.user, project):
        raise Http404
    form = EvidenceRequestForm(request.POST,
                               items=version_items(version=project.standard_version))
    if not form.is_valid():
        messages.error(request, _("Name the items, a due date and what is asked for."))
        return redirect("reviews:evidence", pk=project.pk)
    try:
        services.evidence_request_create(project=project, by=request.user,
                                         items=form.cleaned_data["items"],
                                         due_on=form.cleaned_data["due_on"],
                                         message=form.cleaned_data["message"])
    except services.ReviewError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is sent; those items are reopened until the "
                                    "due date."))
    return redirect("reviews:evidence", pk=project.pk)


@login_required
def evidence_original(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The applicant downloads its own original; nobody else can."""
    version = selectors.evidence_version_for_applicant(request.user, pk)
    if version is None:
        raise Http404
    return original_response(version)


def _viewable(request: AuthenticatedHttpRequest, pk: int) -> EvidenceVersion:
    version = selectors.evidence_version_for_viewer(request.user, pk)
    if version is None:
        raise Http404
    return version


@login_required
@never_cache
def evidence_viewer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One page at a time, as an image carrying the viewer's watermark."""
    version = _viewable(request, pk)
    paginator = Paginator(range(version.pages), 1)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reviews/evidence_viewer.html", {
        "version": version, "evidence": version.evidence, "project": version.evidence.project,
        "page": page, "number": page.number,
        "versions": version.evidence.versions.order_by("number"),
    })


@login_required
def evidence_page(request: AuthenticatedHttpRequest, pk: int, page: int) -> HttpResponse:
    version = _viewable(request, pk)
    try:
        image = services.evidence_page_view(version=version, page=page, viewer=request.user,
                                            channel=ViewChannel.WEB)
    except services.ReviewError as error:
        raise Http404 from error
    return page_image_response(image)


@staff_view(VIEW_LOG_PERM)
def staff_evidence_views(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who viewed which page of the project's evidence, and when."""
    project = _project(pk)
    views = Paginator(selectors.evidence_page_views(project), 100).get_page(
        request.GET.get("page"))
    return render(request, "reviews/staff_evidence_views.html",
                  {"project": project, "views": views})
