from __future__ import annotations

from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import user_by_email
from core.bounds import INTEGER_MAX
from core.exports import table_response
from core.permissions import staff_view
from core.selectors import import_job_for, import_job_progress_get
from core.typing import AuthenticatedHttpRequest
from core.validators import import_file_validators

from . import importing, item_analysis, selectors, services, tracing
from .errors import ExamError
from .forms import AppealForm
from .models import MODULE_CHOICES, Appeal, AppealState, Attempt, AttemptState, QuestionKind

T = TypeVar("T")


def _own_attempt(request: AuthenticatedHttpRequest, attempt_id: int) -> Attempt:
    try:
        return selectors.attempt_for_user(attempt_id=attempt_id, user=request.user)
    except Attempt.DoesNotExist as exc:
        raise Http404 from exc


def _or_404(found: T | None) -> T:
    if found is None:
        raise Http404
    return found


# The position is filled in by the page's script, one URL per answer it saves.
ANSWER_POSITION_PLACEHOLDER = "position"


# --- Candidates --------------------------------------------------------------------------------


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "exams/index.html", {
        "rows": selectors.exams_with_eligibility(request.user),
        "is_exam_admin": request.user.has_perm("exams.view_exam_statistics"),
    })


class StartForm(forms.Form):
    honour = forms.BooleanField(
        label=selectors.HONOUR_STATEMENT,
        error_messages={"required": gettext_lazy("Tick the statement to start the exam.")},
    )


@login_required
def start(request: AuthenticatedHttpRequest, exam_id: int) -> HttpResponse:
    """The rules page (GET): time, questions, pass mark, attempts left, the deadline rule and
    the honour statement; the clock starts only on its POST, with the statement ticked. An
    attempt in progress resumes directly."""
    exam = _or_404(selectors.exam_published(exam_id=exam_id))
    rules = selectors.exam_rules(exam=exam, user=request.user)
    if rules.eligibility.open_attempt is not None:
        return redirect("exams:attempt", attempt_id=rules.eligibility.open_attempt.pk)
    form = StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt, _created = services.attempt_start(exam=exam, user=request.user,
                                                       honour_accepted=True)
        except ExamError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("exams:start", exam_id=exam.pk)
        return redirect("exams:attempt", attempt_id=attempt.pk)
    return render(request, "exams/rules.html", {"rules": rules, "form": form},
                  status=400 if form.errors else 200)


# Never stored (`no-store`, so no back/forward cache either): going back after the submit asks
# the server again, which sends a closed attempt to its result instead of a live-looking paper.
@never_cache
@login_required
def attempt(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.state != AttemptState.OPEN:
        return redirect("exams:result", attempt_id=attempt.pk)
    paper = selectors.attempt_paper(attempt)
    client = {
        "attemptId": attempt.pk,
        "secondsRemaining": paper["seconds_remaining"],
        "lastSeq": paper["last_seq"],
        "paperUrl": reverse("api-v1:exams_attempt_paper", kwargs={"attempt_id": attempt.pk}),
        "saveUrl": reverse("api-v1:exams_answer_save", kwargs={
            "attempt_id": attempt.pk, "position": ANSWER_POSITION_PLACEHOLDER}),
        "savePosition": ANSWER_POSITION_PLACEHOLDER,
        "resultUrl": reverse("exams:result", kwargs={"attempt_id": attempt.pk}),
        "text": {
            "saving": _("Saving…"),
            "saved": _("All answers saved"),
            "retrying": _("Saving failed, retrying…"),
            "queued": _("Saved on this device: sent automatically when the connection returns."),
            "submitWaiting": _("Sending your last answers: your paper is submitted as soon as "
                               "they are saved."),
            "late": _("Time is up: this answer was not saved."),
            "closed": _("This attempt has been submitted."),
            "confirm": _("Submit your answers now? You cannot change them afterwards."),
            "unanswered": _("%(n)s question(s) are still unanswered."),
            "timeUp": _("Time is up. Submitting your answers…"),
        },
    }
    return render(request, "exams/attempt.html", {
        "attempt": attempt, "paper": paper, "client": client,
    })


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    services.attempt_submit(attempt_id=attempt.pk, user=request.user)
    return redirect("exams:result", attempt_id=attempt.pk)


@login_required
def result(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.state == AttemptState.OPEN:
        return redirect("exams:attempt", attempt_id=attempt.pk)
    return render(request, "exams/result.html", {
        "result": selectors.attempt_result(attempt),
        "appeals": selectors.appeals_of_attempt(attempt=attempt),
        "appeal_form": AppealForm(),
    })


@login_required
@require_POST
def appeal(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_request(attempt_id=attempt.pk, user=request.user,
                                    reason=form.cleaned_data["reason"])
            messages.success(request, _("Your request for a score review has been received."))
        except ExamError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Say what you would like reviewed."))
    return redirect("exams:result", attempt_id=attempt.pk)


# --- Exam admins --------------------------------------------------------------------------------


@staff_view("exams.view_exam_statistics")
def manage(request: HttpRequest) -> HttpResponse:
    return render(request, "exams/manage.html", {"overview": selectors.exams_overview()})


class BankFilterForm(forms.Form):
    module = forms.TypedChoiceField(label=gettext_lazy("Module"), required=False, coerce=int,
                                    empty_value=None,
                                    choices=[("", gettext_lazy("All modules")), *MODULE_CHOICES])
    item = forms.CharField(label=gettext_lazy("Standard item"), required=False, max_length=20)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), required=False,
                             choices=[("", gettext_lazy("All types")), *QuestionKind.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", gettext_lazy("All")),
        (selectors.QuestionStatus.ACTIVE, gettext_lazy("In use")),
        (selectors.QuestionStatus.RETIRED, gettext_lazy("Retired")),
        (selectors.QuestionStatus.VOIDED, gettext_lazy("Voided")),
    ])
    search = forms.CharField(label=gettext_lazy("Code or text contains"), required=False,
                             max_length=100)


BANK_PAGE_SIZE = 25


@staff_view("exams.view_question")
def questions(request: HttpRequest) -> HttpResponse:
    """Browse, filter and page through the question bank (module, item, type, status)."""
    form = BankFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.questions_browse(
        module=filters.get("module"), item=filters.get("item", ""),
        kind=filters.get("kind", ""), status=filters.get("status", ""),
        search=filters.get("search", ""),
    )
    page = Paginator(found, BANK_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "exams/questions.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })


@staff_view("exams.view_question")
def question(request: HttpRequest, question_id: int) -> HttpResponse:
    """One question as candidates see it, with its key, explanation and versions."""
    detail = _or_404(selectors.question_detail(question_id=question_id))
    return render(request, "exams/question.html", {"detail": detail})


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
                           validators=import_file_validators("xlsx", "csv"))


@staff_view("exams.import_questions")
def questions_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.questions_import_start(upload=form.cleaned_data["file"],
                                               actor=request.user)
        return redirect("exams:import_job", job_id=job.pk)
    return render(request, "exams/import.html", {"form": form, "columns": importing.COLUMNS})


@staff_view("exams.import_questions")
def questions_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_for(job_id=job_id, kind=importing.QUESTIONS_IMPORT_KIND, user=request.user)
    if job is None:
        raise Http404
    response = render(request, "exams/import.html", {
        "form": ImportForm(), "columns": importing.COLUMNS, "job": job,
        "progress": import_job_progress_get(job=job),
    })
    if not job.finished:
        response["Refresh"] = "2"  # the page polls until the task is done
    return response


@staff_view("exams.import_questions")
def questions_export(request: HttpRequest) -> HttpResponse:
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return table_response(importing.questions_export_table(), filename="questions",
                          file_format=file_format)


@staff_view("exams.view_exam_statistics")
def exam_statistics(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _or_404(selectors.exam_get(exam_id=exam_id))
    stats = item_analysis.exam_statistics(exam)
    chart = mark_safe(
        item_analysis.score_distribution_svg(stats.scores, float(exam.pass_mark_percent))
    )
    return render(request, "exams/statistics.html", {
        "exam": exam, "stats": stats, "chart": chart,
        "facility_guidance": item_analysis.FACILITY_GUIDANCE,
        "discrimination_guidance": item_analysis.DISCRIMINATION_GUIDANCE,
    })


class AccommodationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Candidate's email"))
    extra_minutes = forms.IntegerField(label=gettext_lazy("Extra minutes"), min_value=1,
                                       max_value=600)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


@staff_view("exams.add_accommodation")
def accommodation(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _or_404(selectors.exam_get(exam_id=exam_id))
    form = AccommodationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = user_by_email(email=form.cleaned_data["email"])
        if person is None:
            form.add_error("email", _("No account uses this email address."))
        else:
            try:
                services.accommodation_grant(
                    exam=exam, user=person, extra_minutes=form.cleaned_data["extra_minutes"],
                    reason=form.cleaned_data["reason"], granted_by=request.user,
                )
                messages.success(request, _("Extra time granted."))
                return redirect("exams:accommodation", exam_id=exam.pk)
            except ExamError as exc:
                form.add_error(None, " ".join(exc.messages))
    return render(request, "exams/accommodation.html", {
        "exam": exam, "form": form,
        "granted": selectors.accommodations_of_exam(exam=exam),
    })


class ResolveForm(forms.Form):
    appeal = forms.IntegerField(min_value=1, max_value=INTEGER_MAX, widget=forms.HiddenInput)
    state = forms.ChoiceField(label=gettext_lazy("Decision"),
                              choices=[(AppealState.UPHELD, AppealState.UPHELD.label),
                                       (AppealState.REJECTED, AppealState.REJECTED.label)])
    resolution = forms.CharField(label=gettext_lazy("Explanation to the candidate"),
                                 widget=forms.Textarea(attrs={"rows": 2}))


@staff_view("exams.change_appeal")
def appeals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                services.appeal_resolve(
                    appeal_id=form.cleaned_data["appeal"],
                    state=form.cleaned_data["state"],
                    resolution=form.cleaned_data["resolution"], resolved_by=request.user,
                )
                messages.success(request, _("The review has been resolved."))
            except (ExamError, Appeal.DoesNotExist):
                messages.error(request, _("This review could not be resolved."))
        else:
            messages.error(request, _("This review could not be resolved."))
        return redirect("exams:appeals")
    return render(request, "exams/appeals.html", {
        "appeals": selectors.appeals_for_staff(),
        "form": ResolveForm(),
    })


class VoidForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Question code"))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


@staff_view("exams.void_question")
def question_void(request: HttpRequest) -> HttpResponse:
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = selectors.question_by_code(code=form.cleaned_data["code"])
        if question is None:
            form.add_error("code", _("No question has this code."))
        else:
            count = services.question_void(question=question, actor=request.user,
                                           reason=form.cleaned_data["reason"])
            messages.success(request, _("Question voided; %(n)d attempt(s) regraded.")
                             % {"n": count})
            return redirect("exams:manage")
    return render(request, "exams/void.html", {"form": form})


# --- The standard's items: what traces to each, and what no question covers yet -------------


@staff_view("exams.view_item_tracing")
def items_coverage(request: HttpRequest) -> HttpResponse:
    coverage = tracing.item_coverage(version_slug=request.GET.get("version", "")[:255])
    return render(request, "exams/items_coverage.html", {"coverage": coverage})


@staff_view("exams.view_item_tracing")
def item_trace(request: HttpRequest, item_id: int) -> HttpResponse:
    trace = _or_404(tracing.item_trace(item_id=item_id))
    return render(request, "exams/item_trace.html", {"trace": trace})
