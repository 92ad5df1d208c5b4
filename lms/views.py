"""Thin views: parse input, check permission, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from . import selectors, services
from .forms import BankReceiptForm, FapiaoForm, ReasonForm
from .ics import cohort_ics
from .models import Cohort, Course, Enrolment, Lesson, Payment, Refund
from .notice import payment_notice_response
from .payments import providers_available
from .payments.stripe_checkout import SignatureError
from .purchases import payment_terms


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- Public: cohorts
def cohort_list(request: HttpRequest) -> HttpResponse:
    cohorts = list(selectors.cohorts_upcoming())
    mine = selectors.active_enrolments_by_cohort(user=request.user)
    for cohort in cohorts:
        cohort.my_enrolment = mine.get(cohort.pk)  # type: ignore[attr-defined]
    return render(request, "lms/cohort_list.html", {"cohorts": cohorts})


def _cohort_visible(request: HttpRequest, code: str) -> Cohort:
    cohort = get_object_or_404(
        selectors.cohorts_with_seats(Cohort.objects.select_related("course")), code=code
    )
    if cohort.status == Cohort.Status.DRAFT and not request.user.has_perm("lms.view_cohort"):
        raise Http404
    return cohort


def cohort_detail(request: HttpRequest, code: str) -> HttpResponse:
    cohort = _cohort_visible(request, code)
    return render(
        request,
        "lms/cohort_detail.html",
        {
            "cohort": cohort,
            "open_state": selectors.cohort_open_state(cohort),
            "my_enrolment": selectors.enrolment_active_for(user=request.user, cohort_id=cohort.pk),
        },
    )


def cohort_calendar(request: HttpRequest, code: str) -> HttpResponse:
    cohort = _cohort_visible(request, code)
    response = HttpResponse(cohort_ics(cohort), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ccso-{cohort.code}.ics"'
    return response


@login_required
@require_POST
def cohort_enrol(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, code=code)
    try:
        enrolment = services.enrolment_create(
            user=request.user, cohort_id=cohort.pk, waitlist=request.POST.get("waitlist") == "1"
        )
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
        return redirect("lms:cohort_detail", code=cohort.code)
    if enrolment.state == Enrolment.State.WAITLISTED:
        messages.success(request, _("You are on the waitlist. We will email you if a seat "
                                    "becomes free."))
    else:
        messages.success(request, _("Your seat is held. Please choose how to pay."))
    return redirect("lms:enrolment_detail", reference=enrolment.reference)


# --- The trainee's enrolment
def _own_enrolment(request: HttpRequest, reference: str) -> Enrolment:
    enrolment = selectors.enrolment_by_reference(reference=reference)
    if enrolment is None:
        raise Http404
    if enrolment.user_id != request.user.pk and not request.user.has_perm(
        "lms.manage_enrolments"
    ):
        raise Http404
    return enrolment


def _enrolment_page(
    request: HttpRequest, enrolment: Enrolment, *, fapiao_form: FapiaoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    bank_payment = enrolment.payments.filter(
        provider="bank_transfer", state=Payment.State.CREATED
    ).first()
    fapiao = getattr(enrolment, "fapiao", None)
    if fapiao_form is None:
        fapiao_form = FapiaoForm(instance=fapiao) if fapiao else FapiaoForm(
            initial={"company_name": getattr(enrolment.user.organisation, "name", ""),
                     "taxpayer_id": getattr(enrolment.user.organisation, "credit_code", ""),
                     "email": enrolment.user.email}
        )
    providers = {p.identifier: p for p in providers_available()}
    return render(
        request,
        "lms/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "payments": enrolment.payments.all().order_by("-created_at"),
            "attendance": selectors.attendance_days(enrolment=enrolment),
            "stripe_available": "stripe" in providers,
            "bank_available": "bank_transfer" in providers,
            "bank_payment": bank_payment,
            "bank_instructions": selectors.bank_instructions(enrolment=enrolment),
            "fapiao_form": fapiao_form,
            "refund_now": services.cancel_refund_for(enrolment=enrolment),
            "waitlist_position": selectors.waitlist_position(enrolment=enrolment),
            "can_cancel": enrolment.is_cancellable,
        },
        status=status,
    )


@login_required
def enrolment_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    return _enrolment_page(request, _own_enrolment(request, reference))


@login_required
def enrolment_notice_pdf(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Only the enrolment's owner (it names their company and the amount they owe)."""
    enrolment = selectors.enrolment_by_reference(reference=reference)
    if enrolment is None or enrolment.user_id != request.user.pk:
        raise Http404
    return payment_notice_response(enrolment)


@login_required
def enrolment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "lms/enrolment_list.html",
        {"enrolments": selectors.enrolments_for_user(user=request.user)},
    )


@login_required
@require_POST
def enrolment_pay_stripe(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    enrolment = _own_enrolment(request, reference)
    detail = request.build_absolute_uri(
        reverse("lms:enrolment_detail", kwargs={"reference": reference})
    )
    paid = request.build_absolute_uri(
        reverse("lms:enrolment_paid", kwargs={"reference": reference})
    )
    try:
        result = services.checkout_start(
            enrolment_id=enrolment.pk, user=request.user, provider="stripe",
            success_url=paid + "?session_id={CHECKOUT_SESSION_ID}", cancel_url=detail,
        )
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
        return redirect("lms:enrolment_detail", reference=reference)
    return redirect(result.start.redirect_url)


@login_required
@require_POST
def enrolment_pay_bank(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    enrolment = _own_enrolment(request, reference)
    form = FapiaoForm(request.POST, instance=getattr(enrolment, "fapiao", None))
    if not form.is_valid():
        messages.error(request, _("Please correct the fapiao details below."))
        return _enrolment_page(request, enrolment, fapiao_form=form, status=400)
    try:
        services.checkout_start(
            enrolment_id=enrolment.pk, user=request.user, provider="bank_transfer",
            fapiao=form.fapiao_data(),
        )
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
        return redirect("lms:enrolment_detail", reference=reference)
    messages.success(
        request,
        _("Your seat is held while we wait for the transfer. Please quote the reference "
          "%(reference)s.") % {"reference": enrolment.reference},
    )
    return redirect("lms:enrolment_detail", reference=reference)


@login_required
def enrolment_paid(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Stripe sends the person back here; the session is re-read rather than trusted."""
    enrolment = _own_enrolment(request, reference)
    outcome = "open"
    for payment in enrolment.payments.filter(provider="stripe", state=Payment.State.CREATED):
        try:
            outcome = services.payment_sync(payment_id=payment.pk)
        except (services.LmsError, services.ProviderError):
            outcome = "open"
        if outcome == "paid":
            break
    enrolment.refresh_from_db()
    if enrolment.state == Enrolment.State.CONFIRMED:
        messages.success(request, _("Payment received: your place is confirmed."))
    else:
        messages.info(request, _("We are waiting for the payment service to confirm your "
                                 "payment; this page will show it once it arrives."))
    return redirect("lms:enrolment_detail", reference=reference)


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_cancel(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """GET: what cancelling gives back, and a button to do it; POST: cancel."""
    enrolment = _own_enrolment(request, reference)
    if enrolment.user_id != request.user.pk:
        raise PermissionDenied
    if request.method == "GET":
        if not enrolment.is_cancellable:
            return redirect("lms:enrolment_detail", reference=reference)
        return render(request, "lms/enrolment_cancel.html", {
            "enrolment": enrolment, "cohort": enrolment.cohort,
            "refund": services.cancel_refund_for(enrolment=enrolment),
        })
    try:
        services.enrolment_cancel(enrolment_id=enrolment.pk, by=request.user,
                                  reason=request.POST.get("reason", ""))
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Your enrolment has been cancelled."))
    return redirect("lms:enrolment_detail", reference=reference)


# --- Stripe webhook
@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = services.stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except SignatureError:
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    except services.ProviderError:
        # Stripe could not be asked for the session's state: nothing was recorded, so Stripe's
        # retry of this event will be processed afresh.
        return HttpResponse("retry later", status=503, content_type="text/plain")
    return JsonResponse({"received": True, "outcome": outcome})


# --- Course material
@login_required
def course_material(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(Course, code=code)
    if not selectors.can_read_material(user=request.user, course_id=course.pk):
        messages.error(request, _("Course material is for trainees with a confirmed enrolment."))
        return redirect("lms:cohort_list")
    return render(request, "lms/material_index.html", {
        "course": course, "modules": selectors.lessons_by_module(course=course)})


@login_required
def lesson_detail(request: AuthenticatedHttpRequest, code: str, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, code=code)
    if not selectors.can_read_material(user=request.user, course_id=course.pk):
        messages.error(request, _("Course material is for trainees with a confirmed enrolment."))
        return redirect("lms:cohort_list")
    lesson = get_object_or_404(Lesson, course=course, slug=slug, is_published=True)
    return render(request, "lms/lesson_detail.html", {
        "course": course, "lesson": lesson,
        "paragraphs": [p.strip() for p in lesson.body.split("\n\n") if p.strip()],
        "items": selectors.lesson_item_links(lesson=lesson),
    })


# --- Staff
@staff_view("lms.view_dashboard")
def staff_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "lms/staff/dashboard.html", selectors.staff_dashboard())


@staff_view("lms.mark_attendance")
def staff_roster(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), code=code)
    rows = selectors.cohort_roster(cohort=cohort)
    for row in rows:  # stated beside "cancel and refund", before anyone presses it
        row.refund_by_policy = services.refund_amount_for(enrolment=row.enrolment)
    return render(request, "lms/staff/roster.html", {
        "cohort": cohort, "rows": rows,
        "days": list(enumerate(cohort.days, start=1)), "reason_form": ReasonForm(),
    })


@staff_view("lms.mark_attendance")
@require_POST
def staff_attendance(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort"), reference=reference)
    try:
        day = int(request.POST.get("day", ""))
        present = request.POST.get("present") == "1"
        services.attendance_mark(enrolment_id=enrolment.pk, day=day, present=present,
                                 by=request.user)
    except ValueError:
        messages.error(request, _("Choose a day from 1 to 3."))
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
    return redirect(reverse("lms:staff_roster", args=[enrolment.cohort.code])
                    + f"#row-{enrolment.reference}")


@staff_view("lms.manage_enrolments")
@require_POST
def staff_complete(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort"), reference=reference)
    try:
        services.enrolment_complete_exception(
            enrolment_id=enrolment.pk, by=request.user, reason=request.POST.get("reason", "")
        )
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Enrolment completed by exception."))
    return redirect("lms:staff_roster", code=enrolment.cohort.code)


@staff_view("lms.manage_enrolments")
def staff_payments(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "lms/staff/payments.html", selectors.staff_payments())


@staff_view("lms.manage_enrolments")
@require_POST
def staff_bank_confirm(request: AuthenticatedHttpRequest, payment_id: int) -> HttpResponse:
    """The amount and date from the bank statement; first a page that states what confirming
    does (`confirmed` absent), then, from its button, the confirmation itself."""
    payment = get_object_or_404(
        Payment.objects.select_related("enrolment__user", "enrolment__cohort",
                                       "enrolment__fapiao"),
        pk=payment_id, provider="bank_transfer",
    )
    terms = payment_terms(payment)
    form = BankReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the amount and the date received as the bank "
                                  "statement shows them."))
        return redirect("lms:staff_payments")
    amount, received_on = form.receipt()
    try:
        if request.POST.get("confirmed") != "1":
            services.bank_transfer_check(payment=payment, amount_received=amount,
                                         received_on=received_on)
            return render(request, "lms/staff/bank_confirm.html", {
                "payment": payment, "enrolment": payment.enrolment, "terms": terms,
                "fapiao": selectors.payment_fapiao(payment=payment),
                "amount_received": amount, "received_on": received_on,
            })
        confirmed = services.bank_transfer_confirm(
            payment_id=payment.pk, by=request.user, amount_received=amount,
            received_on=received_on,
        )
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
    else:
        enrolment = confirmed.enrolment
        if enrolment is None:
            messages.success(request, _("Transfer %(reference)s confirmed: %(title)s is paid.")
                             % {"reference": terms.reference, "title": terms.title})
        elif enrolment.state == Enrolment.State.CONFIRMED:
            messages.success(request, _("Transfer %(reference)s confirmed; the enrolment is "
                                        "confirmed.") % {"reference": enrolment.reference})
        else:
            messages.warning(request, _("Transfer %(reference)s recorded, but no seat was left: "
                                        "a refund to the company is pending.")
                             % {"reference": enrolment.reference})
    return redirect("lms:staff_payments")


@staff_view("lms.manage_enrolments")
@require_POST
def staff_refund_done(request: AuthenticatedHttpRequest, refund_id: int) -> HttpResponse:
    refund = get_object_or_404(Refund, pk=refund_id)
    services.refund_mark_done(refund_id=refund.pk, by=request.user,
                              reference=request.POST.get("reference", ""))
    messages.success(request, _("Refund marked as transferred."))
    return redirect("lms:staff_payments")


@staff_view("lms.manage_enrolments")
@require_POST
def staff_enrolment_cancel(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort"), reference=reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
    else:
        try:
            services.enrolment_cancel(
                enrolment_id=enrolment.pk, by=request.user, reason=form.cleaned_data["reason"],
                full_refund=request.POST.get("full_refund") == "1",
            )
        except services.LmsError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Enrolment cancelled."))
    return redirect("lms:staff_roster", code=enrolment.cohort.code)


@staff_view("lms.manage_enrolments")
@require_POST
def staff_cohort_cancel(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, code=code)
    try:
        services.cohort_cancel(cohort_id=cohort.pk, by=request.user,
                               reason=request.POST.get("reason", ""))
    except services.LmsError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Cohort cancelled; every trainee is refunded in full."))
    return redirect("lms:staff_roster", code=cohort.code)
