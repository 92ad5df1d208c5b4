"""The certified centres: the public list, and the certification admins' page that issues a
decided project's certificate (its status changes are certification's own staff page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..models import ReviewProject

MANAGE_CERTIFICATE_PERM = "reviews.manage_certificate"
CERTIFIED_PAGE_SIZE = 50


def certified_list(request: HttpRequest) -> HttpResponse:
    """/reviews/certified/: the public list of certified contact centres, searchable by name."""
    query = request.GET.get("q", "")[:100]
    centres = selectors.certified_centres(query=query, today=timezone.localdate())
    page = Paginator(centres, CERTIFIED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/certified.html", {"page": page, "q": query})


@staff_view(MANAGE_CERTIFICATE_PERM)
def staff_certificates(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.certificate_projects_for_staff(), CERTIFIED_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "reviews/staff_certificates.html", {"page": page})


@staff_view(MANAGE_CERTIFICATE_PERM)
@require_POST
def staff_certificate_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ReviewProject, pk=pk)
    try:
        credential = services.project_certificate_issue(project=project, actor=request.user,
                                                        today=timezone.localdate())
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Certificate %(number)s issued; the organisation's contacts "
                                    "are emailed.") % {"number": credential.number})
    return redirect("reviews:staff_certificates")
