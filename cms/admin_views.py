"""The importer as a Wagtail admin action: upload a file, see what changed (or each bad row)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import StandardImportForm
from .services import ImportReport, StandardImportError, standard_import_file


@permission_required("cms.import_standard", raise_exception=True)
def standard_import_view(request: HttpRequest) -> HttpResponse:
    form = StandardImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = standard_import_file(
                name=upload.name, content=upload.read(), user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except StandardImportError as error:
            errors = error.messages
    return render(
        request,
        "cms/admin/import.html",
        {
            "page_title": _("Import a standard"),
            "header_icon": "upload",
            "form": form,
            "report": report,
            "errors": errors,
        },
    )
