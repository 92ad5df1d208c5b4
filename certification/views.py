"""Thin views: parse, check permission, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.bounds import object_ids
from core.exports import spreadsheet_response
from core.permissions import staff_view
from core.ratelimit import RETRY_AFTER_SECONDS
from core.responses import file_preparing_response
from core.typing import AuthenticatedHttpRequest

from . import exports, selectors, services
from .forms import (
    HISTORY_ROWS_MAX,
    AttestForm,
    DecisionForm,
    EducationForm,
    EducationReviewForm,
    LookupForm,
    PositionFormSet,
    RankingWeightsForm,
    ReviewFormSet,
    StatusChangeForm,
)
from .models import (
    ContinuingEducation,
    Credential,
    CredentialType,
    EducationStatus,
)
from .verification import lookup_allowed
from .views_openbadges import linkedin_add_url

STAFF_STATUS_PERM = "certification.change_credential_status"
STAFF_RANK_PERM = "certification.rank_reviewer_candidates"
STAFF_EDUCATION_PERM = "certification.review_education"


# --------------------------------------------------------------------------- public


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "certification/verify_limited.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def verify_lookup(request: HttpRequest) -> HttpResponse:
    """/credentials/verify/?number=...: the same public facts as the QR link, rate-limited
    harder because numbers are sequential."""
    form = LookupForm(request.GET or None)
    context: dict[str, object] = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        if not lookup_allowed(request, by_link=False):
            return _too_many(request)
        context["searched"] = True
        context["credential"] = selectors.credential_public_by_number(form.cleaned_data["number"])
        if context["credential"] is None:
            return render(request, "certification/verify.html", context, status=404)
    return render(request, "certification/verify.html", context)


def verify_link(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """/credentials/verify/<number>/<token>/: the QR code's target."""
    if not lookup_allowed(request, by_link=True):
        return _too_many(request)
    credential = selectors.credential_public_by_link(number, token)
    context = {"form": LookupForm(), "searched": True, "credential": credential, "via_link": True}
    return render(request, "certification/verify.html", context,
                  status=200 if credential else 404)


def registry(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    type_slug = request.GET.get("type", "")
    region = request.GET.get("region", "")[:50]
    results = selectors.registry_search(query=query, type_slug=type_slug, region=region)
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    return render(request, "certification/registry.html", {
        "page": page, "q": query, "type": type_slug, "region": region,
        "types": selectors.credential_types(),
    })


# --------------------------------------------------------------------------- holders


@login_required
def my_credentials(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _my_credentials_page(request)


def _my_credentials_page(request: AuthenticatedHttpRequest, *, invalid: EducationForm | None = None,
                         invalid_for: int | None = None) -> HttpResponse:
    """The holder's page; `invalid` is a rejected hours form shown again, with what was typed and
    its errors, under the credential it was for."""
    credentials = list(selectors.credentials_of_holder(request.user))
    today = timezone.localdate()
    rows = [
        {
            "credential": c,
            "hours": services.credential_education_hours(c),
            "hours_pending": services.credential_education_hours(
                c, status=EducationStatus.PENDING),
            "window_opens": services.credential_renewal_window_opens(c),
            "renewal_open": services.credential_renewal_window_opens(c) <= today,
            "days_left": (c.expires_on - today).days,
            "linkedin_url": linkedin_add_url(c),
            "education_form": invalid if invalid is not None and c.pk == invalid_for
            else EducationForm(auto_id=f"id_%s_{c.pk}"),
        }
        for c in credentials
    ]
    can_apply = (
        services.credential_valid_for(request.user, CredentialType.COORDINATOR) is not None
        and services.credential_valid_for(request.user, CredentialType.REVIEWER) is None
    )
    return render(request, "certification/my_credentials.html", {
        "rows": rows, "can_apply": can_apply,
        "applications": selectors.reviewer_applications_of(request.user),
    }, status=400 if invalid is not None else 200)


def _own_credential(request: AuthenticatedHttpRequest, pk: int) -> Credential:
    credential = selectors.credential_for_viewer(user=request.user, pk=pk)
    if credential is None:
        raise Http404
    return credential


def _stored_file_response(file: FieldFile, *, filename: str, as_attachment: bool,
                          content_type: str | None = None) -> FileResponse:
    """Stream a private file from the storage (local disk or the object store) after the view
    has checked who asks: the bucket is never public, so there is no URL to hand out."""
    return FileResponse(file.open("rb"), filename=filename, as_attachment=as_attachment,
                        content_type=content_type)


@login_required
def credential_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The certificate PDF, rendered by a task: one not yet rendered (or stale after a name
    correction or a renewal) is queued, and the holder sees a page that refreshes until it is."""
    credential = _own_credential(request, pk)
    ready = services.credential_pdf_request(credential_id=credential.pk)
    if ready is None:
        return file_preparing_response(
            request, heading=_("Your certificate is being prepared"),
            message=_("The PDF of certificate %(number)s is being generated. This page opens it "
                      "by itself when it is ready, usually within a minute; you can also close "
                      "it and come back later.") % {"number": credential.number},
            back_url=reverse("certification:mine"), back_label=_("Back to my credentials"))
    return _stored_file_response(ready.pdf, filename=f"{credential.number}.pdf",
                                 content_type="application/pdf",
                                 as_attachment=request.GET.get("download") == "1")


@login_required
@require_POST
def registry_listing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = _own_credential(request, pk)
    try:
        services.credential_registry_listing_set(
            credential=credential, holder=request.user, listed=request.POST.get("listed") == "1")
    except services.CertificationError as error:
        raise PermissionDenied(error.messages[0]) from error
    messages.success(request, _("Your registry listing has been updated."))
    return redirect("certification:mine")


@login_required
@require_POST
def education_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = _own_credential(request, pk)
    form = EducationForm(request.POST, request.FILES, auto_id=f"id_%s_{credential.pk}")
    if form.is_valid():
        try:
            services.credential_education_add(credential=credential, holder=request.user,
                                              **form.cleaned_data)
        except services.CertificationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("The hours have been recorded and await review."))
            return redirect("certification:mine")
    messages.error(request, _("Check the continuing education form."))
    return _my_credentials_page(request, invalid=form, invalid_for=credential.pk)


@login_required
def education_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The holder's own evidence, or any for those who review it; never a public URL."""
    record = selectors.education_evidence_for_viewer(user=request.user, pk=pk)
    if record is None:
        raise Http404
    extension = (record.evidence.name or "").rsplit(".", 1)[-1]
    return _stored_file_response(record.evidence, as_attachment=True,
                                 filename=f"evidence-{record.pk}.{extension}")


@staff_view(STAFF_EDUCATION_PERM)
def staff_education(request: AuthenticatedHttpRequest) -> HttpResponse:
    # One form per record, with its own ids, so each label points at its own field.
    rows = [(record, EducationReviewForm(auto_id=f"id_%s_{record.pk}"))
            for record in selectors.education_awaiting_review()]
    return render(request, "certification/staff_education.html", {"rows": rows})


@staff_view(STAFF_EDUCATION_PERM)
@require_POST
def staff_education_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = EducationReviewForm(request.POST)
    if form.is_valid():
        try:
            services.credential_education_review(
                record_id=pk, actor=request.user,
                approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
            messages.success(request, _("Decision recorded; the holder has been emailed."))
        except ContinuingEducation.DoesNotExist as missing:
            raise Http404 from missing
        except services.CertificationError as error:
            messages.error(request, error.messages[0])
    return redirect("certification:staff_education")


@login_required
@require_POST
def renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = _own_credential(request, pk)
    try:
        credential = services.credential_renew_by_education(credential=credential,
                                                            actor=request.user)
        messages.success(request, _("Renewed: now valid until %(date)s.")
                         % {"date": credential.expires_on.isoformat()})
    except services.CertificationError as error:
        messages.error(request, error.messages[0])
    return redirect("certification:mine")


@login_required
def apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    if services.credential_valid_for(request.user, CredentialType.COORDINATOR) is None:
        messages.error(request, _("Only a coordinator with an active credential can apply."))
        return redirect("certification:mine")
    data: QueryDict | None = request.POST if request.method == "POST" else None
    # "Add another" posts the form as typed with one more empty row for that list: nothing is
    # saved and nothing typed is lost (no script needed).
    grow = data.get("add_row") if data is not None else None
    if grow in ("positions", "reviews") and data is not None:
        data = data.copy()
        total = f"{grow}-TOTAL_FORMS"
        data[total] = str(min(_int_or_zero(data.get(total)) + 1, HISTORY_ROWS_MAX))
    positions = PositionFormSet(data, prefix="positions")
    reviews = ReviewFormSet(data, prefix="reviews")
    attest = AttestForm(data) if grow is None else AttestForm(
        initial={"attested": bool(request.POST.get("attested"))})
    if grow is None and request.method == "POST" and positions.is_valid() \
            and reviews.is_valid() and attest.is_valid():
        try:
            services.reviewer_application_submit(
                applicant=request.user,
                positions=[f.cleaned_data for f in positions.forms
                           if f.cleaned_data and not f.cleaned_data.get("DELETE")],
                reviews=[f.cleaned_data for f in reviews.forms if f.cleaned_data],
                attested=attest.cleaned_data["attested"],
            )
        except services.CertificationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your application has been submitted."))
            return redirect("certification:mine")
    return render(request, "certification/apply.html",
                  {"positions": positions, "reviews": reviews, "attest": attest,
                   "rows_max": HISTORY_ROWS_MAX, "growing": grow is not None})


def _int_or_zero(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


# --------------------------------------------------------------------------- staff


@staff_view(STAFF_STATUS_PERM)
def staff_credentials(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.credentials_for_staff(query=query), 50).get_page(
        request.GET.get("page"))
    return render(request, "certification/staff_credentials.html", {"page": page, "q": query})


@staff_view(STAFF_STATUS_PERM)
def staff_credential(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = selectors.credential_for_staff(pk=pk)
    if credential is None:
        raise Http404
    form = StatusChangeForm(request.POST or None, credential=credential)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        reason = form.cleaned_data["reason"]
        public = form.cleaned_data["reason_public"]
        if action == "revoke" and request.POST.get("confirmed") != "1":
            # Final: say so, and ask again (a page, so it works without script).
            return render(request, "certification/staff_credential_revoke.html", {
                "credential": credential, "reason": reason, "reason_public": public})
        try:
            services.credential_status_set(credential=credential, actor=request.user,
                                           action=action, reason=reason, reason_public=public)
        except services.CertificationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("certification:staff_credential", pk=credential.pk)
    history = selectors.credential_history(credential)
    return render(request, "certification/staff_credential.html",
                  {"credential": credential, "form": form, "history": history})


@staff_view(STAFF_RANK_PERM)
def staff_candidates(request: AuthenticatedHttpRequest) -> HttpResponse:
    weights = selectors.ranking_weights()
    ranked = selectors.reviewer_candidates_ranked(today=timezone.localdate(), weights=weights)
    return render(request, "certification/staff_candidates.html", {
        "ranked": ranked, "weights": weights, "decision_form": DecisionForm(),
        "decided": selectors.reviewer_applications_decided(),
    })


@staff_view(STAFF_RANK_PERM)
@require_POST
def staff_candidates_decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    ids = object_ids(request.POST.getlist("application"))
    if not form.is_valid():
        messages.error(request, _("Give a reason for the decision."))
        return redirect("certification:staff_candidates")
    reason = form.cleaned_data["reason"]
    try:
        if request.POST.get("decision") == "decline":
            if not ids:
                raise services.CertificationError(_("Choose at least one applicant."))
            if request.POST.get("confirmed") != "1":
                pending = selectors.reviewer_applications_pending_among(application_ids=ids)
                if not pending:
                    raise services.CertificationError(_("Choose at least one applicant."))
                return render(request, "certification/staff_candidates_decline.html",
                              {"applications": pending, "reason": reason})
            declined = services.reviewer_applications_decline(
                application_ids=ids, actor=request.user, reason=reason)
            messages.success(request, _("Declined: %(count)d.") % {"count": len(declined)})
        else:
            credentials = services.reviewer_applications_promote(
                application_ids=ids, actor=request.user, reason=reason)
            messages.success(request, _("Promoted to reviewer: %(numbers)s.")
                             % {"numbers": ", ".join(c.number for c in credentials)})
    except services.CertificationError as error:
        messages.error(request, error.messages[0])
    return redirect("certification:staff_candidates")


@staff_view(STAFF_RANK_PERM)
def staff_weights(request: AuthenticatedHttpRequest) -> HttpResponse:
    weights = selectors.ranking_weights()
    form = RankingWeightsForm(request.POST or None, instance=weights)
    if request.method == "POST" and form.is_valid():
        services.ranking_weights_update(actor=request.user, values={
            name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("The weights have been saved."))
        return redirect("certification:staff_candidates")
    return render(request, "certification/staff_weights.html", {"form": form})


@staff_view(STAFF_RANK_PERM)
def staff_candidates_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return spreadsheet_response(exports.reviewer_candidates_xlsx(today=today),
                                filename=f"reviewer-candidates-{today}")
