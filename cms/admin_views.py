"""The importer as a Wagtail admin action: upload a file, see what changed (or each bad row).
The file is imported by a Celery task; the page it redirects to follows that task."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.models import ImportJob
from core.permissions import staff_view
from core.selectors import import_job_for, import_job_progress_get
from core.typing import AuthenticatedHttpRequest

from .forms import StandardImportForm
from .services import STANDARD_IMPORT_KIND, standard_import_start


def _page(request: HttpRequest, form: StandardImportForm, job: ImportJob | None) -> HttpResponse:
    return render(request, "cms/admin/import.html", {
        "page_title": _("Import a standard"),
        "header_icon": "upload",
        "form": form,
        "job": job,
        "progress": import_job_progress_get(job=job) if job is not None else None,
    })


@staff_view("cms.import_standard")
def standard_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StandardImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = standard_import_start(upload=form.cleaned_data["file"], user=request.user,
                                    dry_run=form.cleaned_data["dry_run"])
        return redirect("cms_standard_import_job", job_id=job.pk)
    return _page(request, form, None)


@staff_view("cms.import_standard")
def standard_import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_for(job_id=job_id, kind=STANDARD_IMPORT_KIND, user=request.user)
    if job is None:
        raise Http404
    response = _page(request, StandardImportForm(), job)
    if not job.finished:
        response["Refresh"] = "2"  # the page polls until the task is done
    return response
