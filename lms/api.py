"""Training API at /api/v1/lms/: cohorts, my enrolments, enrol, start checkout, cancel with
its refund, my cohort's calendar, the payment notice; staff: confirm a bank transfer, mark
attendance."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.api_files import file_openapi
from core.bounds import SmallNumber
from core.typing import AuthenticatedHttpRequest

from . import selectors, services
from .forms import FapiaoForm
from .ics import cohort_ics
from .models import Cohort, Enrolment, Payment
from .notice import payment_notice_response
from .purchases import payment_terms

router = Router(tags=["training"])


class CourseOut(Schema):
    code: str
    title: str
    title_en: str


class CohortOut(Schema):
    code: str
    title: str
    course: CourseOut
    days: list[datetime.date]
    venue: str
    online: bool
    language: str
    capacity: int
    seats_left: int
    price: Decimal
    currency: str = "CNY"
    enrolment_deadline: datetime.datetime
    status: str
    url: str
    calendar_url: str


class EnrolmentOut(Schema):
    reference: str
    cohort: str
    state: str
    price: Decimal
    hold_expires_at: datetime.datetime | None
    url: str


class EnrolIn(Schema):
    waitlist: bool = False


class FapiaoIn(Schema):
    company_name: str
    taxpayer_id: str
    address: str
    bank: str
    email: str = ""


class CheckoutIn(Schema):
    provider: str
    fapiao: FapiaoIn | None = None


class CheckoutOut(Schema):
    provider: str
    reference: str
    expires_at: datetime.datetime
    redirect_url: str
    instructions: dict[str, str]


def _cohort_out(cohort: Cohort) -> CohortOut:
    return CohortOut(
        code=cohort.code,
        title=cohort.title,
        course=CourseOut(code=cohort.course.code, title=cohort.course.title,
                         title_en=cohort.course.title_en),
        days=cohort.days,
        venue=cohort.venue,
        online=bool(cohort.online_url),
        language=cohort.language,
        capacity=cohort.capacity,
        seats_left=cohort.seats_left,  # type: ignore[attr-defined]
        price=cohort.price,
        enrolment_deadline=cohort.enrolment_deadline,
        status=cohort.status,
        url=reverse("lms:cohort_detail", args=[cohort.code]),
        calendar_url=reverse("lms:cohort_calendar", args=[cohort.code]),
    )


def _enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        reference=enrolment.reference,
        cohort=enrolment.cohort.code,
        state=enrolment.state,
        price=enrolment.price,
        hold_expires_at=enrolment.hold_expires_at,
        url=reverse("lms:enrolment_detail", args=[enrolment.reference]),
    )


def _error(exc: services.LmsError) -> ErrorOut:
    return ErrorOut(code=str(getattr(exc, "code", None) or "invalid"),
                    detail=" ".join(str(m) for m in exc.messages))


def fapiao_data(fapiao: FapiaoIn | None) -> dict[str, str] | None:
    """The fapiao details checked by the web form's own validators (lengths, email, taxpayer
    id), so the API accepts exactly what the page accepts."""
    if fapiao is None:
        return None
    form = FapiaoForm(data=fapiao.dict())
    if not form.is_valid():
        raise services.PaymentError("; ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        ), code="fapiao")
    return form.fapiao_data()


@router.get("/cohorts", response=list[CohortOut], auth=None)
def cohorts_list(request: HttpRequest) -> list[CohortOut]:
    """Upcoming published cohorts with seats left."""
    return [_cohort_out(c) for c in selectors.cohorts_upcoming()]


@router.get("/cohorts/{code}", response={200: CohortOut, 404: ErrorOut}, auth=None)
def cohort_detail(request: HttpRequest, code: str) -> Status[CohortOut] | Status[ErrorOut]:
    cohort = (
        selectors.cohorts_with_seats(Cohort.objects.select_related("course"))
        .exclude(status=Cohort.Status.DRAFT)
        .filter(code=code)
        .first()
    )
    if cohort is None:
        return Status(404, ErrorOut(code="not_found", detail="No such cohort."))
    return Status(200, _cohort_out(cohort))


@router.get("/enrolments", response=list[EnrolmentOut], auth=signed_in)
def my_enrolments(request: AuthenticatedHttpRequest) -> list[EnrolmentOut]:
    return [_enrolment_out(e) for e in selectors.enrolments_for_user(user=request.user)]


@router.post("/cohorts/{code}/enrol", response={201: EnrolmentOut, 400: ErrorOut},
             auth=signed_in)
def enrol(request: AuthenticatedHttpRequest, code: str, payload: EnrolIn) -> Status:
    cohort = get_object_or_404(Cohort, code=code)
    try:
        enrolment = services.enrolment_create(
            user=request.user, cohort_id=cohort.pk, waitlist=payload.waitlist
        )
    except services.LmsError as exc:
        return Status(400, _error(exc))
    return Status(201, _enrolment_out(enrolment))


@router.post("/enrolments/{reference}/checkout", response={200: CheckoutOut, 400: ErrorOut},
             auth=signed_in)
def checkout(request: AuthenticatedHttpRequest, reference: str, payload: CheckoutIn) -> Status:
    enrolment = get_object_or_404(Enrolment, reference=reference, user=request.user)
    base = request.build_absolute_uri(reverse("lms:enrolment_detail", args=[reference]))
    paid = request.build_absolute_uri(reverse("lms:enrolment_paid", args=[reference]))
    try:
        fapiao = fapiao_data(payload.fapiao)
        result = services.checkout_start(
            enrolment_id=enrolment.pk,
            user=request.user,
            provider=payload.provider,
            success_url=paid + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=base,
            fapiao=fapiao,
        )
    except LookupError:
        return Status(400, ErrorOut(code="provider", detail="Unknown payment provider."))
    except services.LmsError as exc:
        return Status(400, _error(exc))
    return Status(200, CheckoutOut(
        provider=payload.provider,
        reference=result.start.reference,
        expires_at=result.start.expires_at,
        redirect_url=result.start.redirect_url,
        instructions=result.start.instructions,
    ))


@router.get("/enrolments/{reference}/calendar.ics", response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("text/calendar", "The cohort's days (iCalendar)"))
def enrolment_calendar(request: HttpRequest, reference: str) -> HttpResponse:
    """The course days of the cohort of one of my enrolments, for the phone's calendar (the
    cohort page's .ics)."""
    enrolment = selectors.enrolment_by_reference(reference=reference)
    if enrolment is None or enrolment.user_id != request.user.pk:
        raise HttpError(404, _("Not found."))
    response = HttpResponse(cohort_ics(enrolment.cohort),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ccso-{enrolment.cohort.code}.ics"'
    return response


# --- Staff


class AttendanceIn(Schema):
    day: SmallNumber = Field(description="The course day, 1 to 3")
    present: bool


class AttendanceDayOut(Schema):
    number: int
    date: datetime.date
    present: bool | None = Field(description="Empty while the day is not marked")


class AttendanceOut(Schema):
    reference: str
    state: str = Field(description='"completed" once all three days are marked present')
    days: list[AttendanceDayOut]


@router.post("/staff/enrolments/{reference}/attendance",
             response={200: AttendanceOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_attendance(request: AuthenticatedHttpRequest, reference: str,
                     payload: AttendanceIn) -> Status:
    """Mark one trainee present or absent on one day (course admins), as on the roster page:
    audited; all three days present completes the enrolment."""
    permission_check(request, "lms.mark_attendance")
    enrolment = Enrolment.objects.filter(reference=reference).first()
    if enrolment is None:
        return Status(404, ErrorOut(code="not_found", detail=_("Not found.")))
    try:
        enrolment = services.attendance_mark(enrolment_id=enrolment.pk, day=payload.day,
                                             present=payload.present, by=request.user)
    except services.LmsError as exc:
        return Status(400, _error(exc))
    enrolment.refresh_from_db()
    return Status(200, AttendanceOut(
        reference=enrolment.reference, state=enrolment.state,
        days=[AttendanceDayOut(**day) for day in selectors.attendance_days(enrolment=enrolment)]))


# --- Money: cancel an enrolment of mine with its refund; staff confirm a bank transfer.
class CancellationOut(Schema):
    reference: str
    state: str
    can_cancel: bool
    refund_amount: Decimal
    currency: str = "CNY"


class CancelIn(Schema):
    reason: str = ""


class BankReceiptIn(Schema):
    amount_received: Decimal
    received_on: datetime.date


class BankConfirmOut(Schema):
    payment_id: int
    reference: str
    payment_state: str
    enrolment_state: str
    amount_received: Decimal | None
    received_on: datetime.date | None
    confirmed_at: datetime.datetime | None
    confirmed_by: str


def _my_enrolment(request: HttpRequest, reference: str) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("cohort"), reference=reference,
                             user=request.user)


@router.get("/enrolments/{reference}/cancel", response={200: CancellationOut, 404: ErrorOut},
            auth=signed_in)
def cancellation_preview(request: HttpRequest, reference: str) -> CancellationOut:
    """What cancelling this enrolment of mine now would refund (nothing is changed)."""
    enrolment = _my_enrolment(request, reference)
    return CancellationOut(reference=enrolment.reference, state=enrolment.state,
                           can_cancel=enrolment.is_cancellable,
                           refund_amount=services.cancel_refund_for(enrolment=enrolment))


@router.post("/enrolments/{reference}/cancel",
             response={200: CancellationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def cancel(request: AuthenticatedHttpRequest, reference: str, payload: CancelIn) -> Status:
    """Cancel an enrolment of mine; answers the refund given (per the cohort's policy)."""
    enrolment = _my_enrolment(request, reference)
    if not enrolment.is_cancellable:
        return Status(400, ErrorOut(code="state",
                                    detail=str(_("This enrolment can no longer be cancelled."))))
    refund = services.cancel_refund_for(enrolment=enrolment)
    try:
        enrolment = services.enrolment_cancel(
            enrolment_id=enrolment.pk, by=request.user,
            reason=payload.reason,
        )
    except services.LmsError as exc:
        return Status(400, _error(exc))
    return Status(200, CancellationOut(reference=enrolment.reference, state=enrolment.state,
                                       can_cancel=False, refund_amount=refund))


class AwaitedTransferOut(Schema):
    payment_id: int
    reference: str = Field(description="The reference the payer was asked to quote")
    trainee: str = Field(description="Who pays: the trainee, or the payer of another purchase")
    company: str = Field(description="The payer company from the fapiao details, if any")
    amount_due: Decimal
    state: str = Field(description='"created" while awaited, "expired" once the hold lapsed')
    expires_at: datetime.datetime | None


@router.get("/staff/payments", response={200: list[AwaitedTransferOut], 403: ErrorOut},
            auth=signed_in)
def bank_transfers_awaited(request: AuthenticatedHttpRequest) -> Status:
    """Course admins: the bank transfers awaited (and those that lapsed in the last 30 days),
    as on /training/staff/payments/, to match against the bank statement by reference."""
    permission_check(request, "lms.manage_enrolments")
    listed = selectors.staff_payments()
    return Status(200, [_awaited_transfer_out(payment) for payment in listed["bank_payments"]]
                  + [AwaitedTransferOut(
                      payment_id=row.payment.pk, reference=row.terms.reference,
                      trainee=row.terms.payer_name,
                      company=row.fapiao.company_name if row.fapiao else "",
                      amount_due=row.payment.amount, state=row.payment.state,
                      expires_at=row.payment.expires_at)
                     for row in listed["purchase_transfers"]])


def _awaited_transfer_out(payment: Payment) -> AwaitedTransferOut:
    enrolment = payment.enrolment
    assert enrolment is not None  # staff_payments' bank_payments are a course's
    fapiao = getattr(enrolment, "fapiao", None)
    return AwaitedTransferOut(
        payment_id=payment.pk, reference=enrolment.reference, trainee=enrolment.user.display_name,
        company=fapiao.company_name if fapiao else "", amount_due=payment.amount,
        state=payment.state, expires_at=payment.expires_at)


@router.post("/staff/payments/{payment_id}/confirm",
             response={200: BankConfirmOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def bank_transfer_confirm(request: AuthenticatedHttpRequest, payment_id: int,
                          payload: BankReceiptIn) -> Status:
    """Course admins: record that a company's bank transfer arrived (amount and date from the
    statement; only the exact amount due is accepted) and confirm the enrolment, as on
    /training/staff/payments/."""
    permission_check(request, "lms.manage_enrolments")
    payment = get_object_or_404(Payment, pk=payment_id, provider="bank_transfer")
    try:
        payment = services.bank_transfer_confirm(
            payment_id=payment.pk, by=request.user,
            amount_received=payload.amount_received, received_on=payload.received_on,
        )
    except services.LmsError as exc:
        return Status(400, _error(exc))
    return Status(200, BankConfirmOut(
        payment_id=payment.pk, reference=payment_terms(payment).reference,
        payment_state=payment.state,
        enrolment_state=payment.enrolment.state if payment.enrolment else "",
        amount_received=payment.amount_received,
        received_on=payment.received_on, confirmed_at=payment.confirmed_at,
        confirmed_by=payment.confirmed_by.display_name if payment.confirmed_by else "",
    ))


@router.get("/enrolments/{reference}/payment-notice.pdf", response={200: None, 404: ErrorOut},
            auth=signed_in, openapi_extra={"responses": {200: {
                "description": "The payment notice (付款通知书) PDF",
                "content": {"application/pdf": {"schema": {"type": "string",
                                                           "format": "binary"}}}}}})
def payment_notice(request: HttpRequest, reference: str) -> HttpResponse:
    """The payment notice for my enrolment's open bank transfer, for the company's finance
    department (only the enrolment's owner)."""
    return payment_notice_response(_my_enrolment(request, reference))
