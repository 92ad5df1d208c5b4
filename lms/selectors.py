"""Reads used by lms views, the API and other apps (cms's home page, exams' eligibility)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User

from .models import (
    COURSE_DAYS,
    ZERO,
    Attendance,
    Cohort,
    Course,
    Enrolment,
    FapiaoRequest,
    Lesson,
    LessonItem,
    Payment,
    ReconciliationIssue,
    Refund,
    method_label,
)
from .purchases import PurchaseTerms, purchase_kind_get


def _holds_lapse() -> None:
    """Seat holds and waitlist offers lapse on the first read after they run out, not only when
    beat's sweep runs (there is none on `make run`): the reads of seats and of a person's
    enrolments below go through the sweep first. (Imported here: services imports selectors.)"""
    from .services import holds_expire

    holds_expire()

def refund_amount_for(*, enrolment: Enrolment, on: datetime.date | None = None) -> Decimal:
    """What the cohort's cancellation policy returns for a cancellation on `on` (today)."""
    cohort = enrolment.cohort
    days_before = (cohort.day_1 - (on or timezone.localdate())).days
    paid = enrolment.price
    if days_before >= cohort.full_refund_days:
        return paid
    if days_before >= cohort.partial_refund_days:
        return (paid * cohort.partial_refund_percent / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return ZERO


def seats_taken_q(prefix: str = "enrolments__") -> Q:
    """Enrolments that occupy a seat: confirmed or completed, or pending with a live hold."""
    now = timezone.now()
    return Q(**{f"{prefix}state__in": Enrolment.SEATED_STATES}) | Q(
        **{
            f"{prefix}state": Enrolment.State.PENDING_PAYMENT,
            f"{prefix}hold_expires_at__gt": now,
        }
    )


def cohorts_with_seats(queryset: QuerySet[Cohort] | None = None) -> QuerySet[Cohort]:
    """Annotate `seats_sold`, `seats_held` and `seats_left` (never below zero)."""
    now = timezone.now()
    qs = queryset if queryset is not None else Cohort.objects.all()
    return qs.annotate(
        seats_sold=Count(
            "enrolments", filter=Q(enrolments__state__in=Enrolment.SEATED_STATES), distinct=True
        ),
        seats_held=Count(
            "enrolments",
            filter=Q(
                enrolments__state=Enrolment.State.PENDING_PAYMENT,
                enrolments__hold_expires_at__gt=now,
            ),
            distinct=True,
        ),
        waitlist_count=Count(
            "enrolments",
            filter=Q(enrolments__state=Enrolment.State.WAITLISTED),
            distinct=True,
        ),
    ).annotate(
        seats_left=Greatest(F("capacity") - F("seats_sold") - F("seats_held"), Value(0))
    )


def cohorts_upcoming(*, limit: int | None = None) -> QuerySet[Cohort]:
    """Published, not cancelled cohorts of published courses whose first day is still ahead,
    soonest first, each with `seats_left` (and `seats_sold`, `seats_held`) annotated."""
    _holds_lapse()
    today = timezone.localdate()
    qs = cohorts_with_seats(
        Cohort.objects.filter(
            status=Cohort.Status.PUBLISHED, course__is_published=True, day_1__gt=today
        ).select_related("course")
    ).order_by("day_1", "code")
    if limit is not None:
        qs = qs[:limit]
    return qs


def course_completed(*, user: User, course_id: int) -> bool:
    """Has this person completed an enrolment in some cohort of this course? (Exam eligibility.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Enrolment.objects.filter(
        user=user, cohort__course_id=course_id, state=Enrolment.State.COMPLETED
    ).exists()


def enrolments_for_user(*, user: User) -> QuerySet[Enrolment]:
    _holds_lapse()
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort", "cohort__course")
        .prefetch_related("payments", "attendances")
        .order_by("-created_at")
    )


def enrolment_by_reference(*, reference: str) -> Enrolment | None:
    _holds_lapse()
    return (
        Enrolment.objects.select_related("cohort__course", "user").filter(reference=reference)
        .first()
    )


def enrolment_active_for(*, user: User | AnonymousUser, cohort_id: int) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    _holds_lapse()
    return (
        Enrolment.objects.filter(
            user=user, cohort_id=cohort_id, state__in=Enrolment.ACTIVE_STATES
        )
        .select_related("cohort", "cohort__course")
        .first()
    )


def user_is_enrolled_in_course(*, user: User | AnonymousUser, course_id: int) -> bool:
    """Course material is for trainees with a confirmed or completed enrolment."""
    if not user.is_authenticated:
        return False
    return Enrolment.objects.filter(
        user=user, cohort__course_id=course_id, state__in=Enrolment.SEATED_STATES
    ).exists()


def active_enrolments_by_cohort(*, user: User | AnonymousUser) -> dict[int, Enrolment]:
    if not user.is_authenticated:
        return {}
    _holds_lapse()
    return {
        e.cohort_id: e
        for e in Enrolment.objects.filter(user=user, state__in=Enrolment.ACTIVE_STATES)
    }


def cohort_open_state(cohort: Cohort) -> str:
    """"open", "full", "closed", "cancelled" or "draft": what the enrol button should say.
    `cohort` must carry the `seats_left` annotation."""
    if cohort.status == Cohort.Status.CANCELLED:
        return "cancelled"
    if cohort.status != Cohort.Status.PUBLISHED or not cohort.course.is_published:
        return "draft"
    if cohort.enrolment_deadline <= timezone.now() or cohort.day_1 <= timezone.localdate():
        return "closed"
    return "open" if getattr(cohort, "seats_left", 0) > 0 else "full"


def attendance_days(*, enrolment: Enrolment) -> list[dict[str, Any]]:
    marked = {a.day: a.present for a in enrolment.attendances.all()}
    return [
        {"number": n, "date": day, "present": marked.get(n)}
        for n, day in enumerate(enrolment.cohort.days, start=1)
    ]


def bank_instructions(*, enrolment: Enrolment) -> dict[str, str]:
    account = settings.LMS_BANK_ACCOUNT
    return {
        "account_name": account["name"],
        "bank": account["bank"],
        "account_number": account["number"],
        "amount": f"{enrolment.price:.2f}",
        "reference": enrolment.reference,
    }


@dataclass(frozen=True)
class PaymentNotice:
    """What the payment notice for a bank transfer says."""

    enrolment: Enrolment
    payment: Payment
    fapiao: FapiaoRequest | None
    bank: dict[str, str]
    due: datetime.datetime | None
    issued_on: datetime.date


def payment_notice(
    *, enrolment: Enrolment, now: datetime.datetime | None = None
) -> PaymentNotice | None:
    """The notice for the enrolment's open bank transfer; None when none is awaited."""
    if enrolment.state != Enrolment.State.PENDING_PAYMENT:
        return None
    payment = enrolment.payments.filter(
        provider="bank_transfer", state=Payment.State.CREATED).order_by("-created_at").first()
    if payment is None:
        return None
    return PaymentNotice(
        enrolment=enrolment, payment=payment,
        fapiao=FapiaoRequest.objects.filter(enrolment=enrolment).first(),
        bank=bank_instructions(enrolment=enrolment),
        due=payment.expires_at or enrolment.hold_expires_at,
        issued_on=timezone.localdate(now or timezone.now()),
    )


def can_read_material(*, user: User | AnonymousUser, course_id: int) -> bool:
    return user.has_perm("lms.view_lesson") or user_is_enrolled_in_course(
        user=user, course_id=course_id
    )


def lessons_by_module(*, course: Course) -> list[tuple[int, list[Lesson]]]:
    grouped: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in course.lessons.filter(is_published=True).order_by("module", "position", "id"):
        grouped[lesson.module].append(lesson)
    return sorted(grouped.items())


def lesson_item_links(*, lesson: Lesson) -> list[dict[str, str]]:
    """The standard's items a lesson covers, each with its permalink in cms (in the item's own
    version), in the standard's order: three queries. Codes the migration to item keys could
    not match are listed after them, without a link."""
    from cms.selectors import items_located

    located = items_located(ids=lesson.items.values_list("pk", flat=True))
    links = [
        {"code": item.code, "url": item.permalink}
        for item in sorted(located.values(), key=lambda i: (i.version.pk, i.module_number,
                                                           i.item.sort_order, i.item.pk))
    ]
    links += [{"code": code, "url": ""} for code in lesson.legacy_item_codes]
    return links


def lesson_items_resolve(
    *, lesson: Lesson | None, codes: list[str]
) -> tuple[list[Any], list[str], Any]:
    """The items `codes` name for a lesson: a code it already covers keeps that item (of
    whatever version), a new one is looked up in the current version. Returns (items in the
    order given, codes that name no item, the current version or None): three queries."""
    from cms.selectors import items_by_code, version_current

    codes = list(dict.fromkeys(codes))
    current = {item.code: item for item in lesson.items.all()} if lesson is not None else {}
    new = [code for code in codes if code not in current]
    version = version_current() if new else None
    found = items_by_code(version=version, codes=new) if version is not None else {}
    items = [current.get(code) or found[code] for code in codes if code in current or code in found]
    return items, [code for code in new if code not in found], version


def lesson_counts_by_item(*, item_ids: list[int]) -> dict[int, int]:
    """How many lessons cover each of these items: one query."""
    return dict(
        LessonItem.objects.filter(item_id__in=item_ids).values_list("item_id")
        .annotate(n=Count("lesson_id")).order_by()
    )


def lessons_for_item(*, item_id: int) -> list[Lesson]:
    """Every lesson (published or not) that covers an item, with its course: one query."""
    return list(
        Lesson.objects.filter(items__pk=item_id).select_related("course")
        .order_by("course__title", "module", "position", "pk")
    )


@dataclass
class RosterRow:
    enrolment: Enrolment
    days: list[bool | None]
    refund_by_policy: Decimal | None = None  # what cancelling today refunds (the view sets it)

    @property
    def attended(self) -> int:
        return sum(1 for d in self.days if d)


def cohort_roster(*, cohort: Cohort) -> list[RosterRow]:
    enrolments = (
        Enrolment.objects.filter(cohort=cohort, state__in=Enrolment.SEATED_STATES)
        .select_related("user", "user__organisation")
        .prefetch_related(Prefetch("attendances", queryset=Attendance.objects.order_by("day")))
        .order_by("user__name_zh", "user__email")
    )
    rows = []
    for enrolment in enrolments:
        enrolment.cohort = cohort  # one cohort for every row: no query per row
        marked = {a.day: a.present for a in enrolment.attendances.all()}
        rows.append(RosterRow(enrolment, [marked.get(n) for n in range(1, COURSE_DAYS + 1)]))
    return rows


def _pct(part: int | Decimal, whole: int | Decimal) -> int:
    return round(100 * part / whole) if whole else 0


def staff_dashboard(*, since_days: int = 120) -> dict[str, Any]:
    """Per cohort: seats sold/held/free, revenue net of refunds, payment-method split,
    attendance; plus totals. A fixed number of queries, whatever the number of cohorts."""
    since = timezone.localdate() - datetime.timedelta(days=since_days)
    cohorts: list[Any] = list(
        cohorts_with_seats(
            Cohort.objects.filter(day_3__gte=since).exclude(status=Cohort.Status.DRAFT)
            .select_related("course")
        ).order_by("day_1", "code")
    )
    ids = [c.pk for c in cohorts]
    paid = Payment.objects.filter(state__in=Payment.PAID_STATES, enrolment__cohort_id__in=ids)
    revenue = {
        row["enrolment__cohort_id"]: (row["gross"] or ZERO) - (row["refunded"] or ZERO)
        for row in paid.values("enrolment__cohort_id").annotate(
            gross=Sum("amount"), refunded=Sum("refunded_amount")
        )
    }
    split: dict[int, list[dict[str, Any]]] = defaultdict(list)
    totals_by_method: dict[str, dict[str, Any]] = {}
    for row in paid.values("enrolment__cohort_id", "provider", "method").annotate(
        count=Count("id"), amount=Sum("amount")
    ).order_by("provider", "method"):
        label = method_label(method=row["method"], provider=row["provider"])
        split[row["enrolment__cohort_id"]].append(
            {"method": label, "count": row["count"], "amount": row["amount"]}
        )
        total = totals_by_method.setdefault(label, {"method": label, "count": 0, "amount": ZERO})
        total["count"] += row["count"]
        total["amount"] += row["amount"]
    present = dict(
        Attendance.objects.filter(enrolment__cohort_id__in=ids, present=True)
        .values("enrolment__cohort_id").annotate(n=Count("id"))
        .values_list("enrolment__cohort_id", "n")
    )
    rows = []
    for cohort in cohorts:
        possible = cohort.seats_sold * COURSE_DAYS
        rows.append({
            "cohort": cohort,
            "sold": cohort.seats_sold,
            "held": cohort.seats_held,
            "free": cohort.seats_left,
            "waitlist": cohort.waitlist_count,
            "revenue": revenue.get(cohort.pk, ZERO),
            "split": split.get(cohort.pk, []),
            "attendance_present": present.get(cohort.pk, 0),
            "attendance_possible": possible,
            "attendance_pct": _pct(present.get(cohort.pk, 0), possible),
            "sold_pct": _pct(cohort.seats_sold, cohort.capacity),
            "held_pct": _pct(cohort.seats_held, cohort.capacity),
        })
    methods = sorted(totals_by_method.values(), key=lambda m: -m["amount"])
    method_total = sum((m["amount"] for m in methods), ZERO)
    for m in methods:
        m["pct"] = _pct(m["amount"], method_total)
    return {
        "rows": rows,
        "methods": methods,
        "revenue_total": sum((r["revenue"] for r in rows), ZERO),
        "pending_bank": Payment.objects.filter(
            provider="bank_transfer", state=Payment.State.CREATED).count(),
        "pending_refunds": Refund.objects.filter(state=Refund.State.PENDING).count(),
        "open_issues": ReconciliationIssue.objects.filter(resolved_at__isnull=True).count(),
    }


CONFIRMED_TRANSFERS_SHOWN = 50


@dataclass(frozen=True)
class PurchaseTransfer:
    """A bank transfer for a purchase of a registered kind (`lms.purchases`), as staff match
    it against the statement."""

    payment: Payment
    terms: PurchaseTerms
    fapiao: FapiaoRequest | None


def payment_fapiao(*, payment: Payment) -> FapiaoRequest | None:
    """The fapiao details given for what `payment` buys."""
    if payment.enrolment_id is not None:
        return FapiaoRequest.objects.filter(enrolment_id=payment.enrolment_id).first()
    return FapiaoRequest.objects.filter(purchase_kind=payment.purchase_kind,
                                        purchase_key=payment.purchase_key).first()


def purchase_transfers_awaited(*, since: datetime.datetime) -> list[PurchaseTransfer]:
    """Bank transfers awaited for registered purchases (and those lapsed since `since`), with
    their terms and fapiao details read once per kind."""
    payments = list(
        Payment.objects.filter(provider="bank_transfer", enrolment__isnull=True)
        .filter(Q(state=Payment.State.CREATED) | Q(state=Payment.State.EXPIRED,
                                                    created_at__gte=since))
        .order_by("state", "created_at")
    )
    keys: dict[str, list[str]] = defaultdict(list)
    for payment in payments:
        keys[payment.purchase_kind].append(payment.purchase_key)
    terms = {kind: purchase_kind_get(kind).terms_many(kind_keys)
             for kind, kind_keys in keys.items()}
    fapiaos = {(f.purchase_kind, f.purchase_key): f for f in FapiaoRequest.objects.filter(
        purchase_kind__in=list(keys), purchase_key__in=[k for v in keys.values() for k in v])}
    return [PurchaseTransfer(payment=p, terms=terms[p.purchase_kind][p.purchase_key],
                             fapiao=fapiaos.get((p.purchase_kind, p.purchase_key)))
            for p in payments]


def staff_payments() -> dict[str, Any]:
    recent = timezone.now() - datetime.timedelta(days=30)
    bank = (
        Payment.objects.filter(provider="bank_transfer", enrolment__isnull=False)
        .filter(Q(state=Payment.State.CREATED) | Q(state=Payment.State.EXPIRED,
                                                    created_at__gte=recent))
        .select_related("enrolment__user", "enrolment__cohort__course", "enrolment__fapiao")
        .order_by("state", "created_at")
    )
    confirmed = (
        Payment.objects.filter(provider="bank_transfer", state__in=Payment.PAID_STATES,
                               enrolment__isnull=False)
        .select_related("enrolment__user", "enrolment__cohort", "enrolment__fapiao",
                        "confirmed_by")
        .order_by("-confirmed_at", "-pk")[:CONFIRMED_TRANSFERS_SHOWN]
    )
    return {
        "bank_payments": bank,
        "purchase_transfers": purchase_transfers_awaited(since=recent),
        "confirmed_transfers": confirmed,
        "refunds": Refund.objects.filter(state=Refund.State.PENDING).select_related(
            "payment__enrolment__user", "payment__enrolment__cohort"),
        "issues": ReconciliationIssue.objects.filter(resolved_at__isnull=True).select_related(
            "enrolment__user", "enrolment__cohort", "payment"),
    }


def waitlist_position(*, enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if enrolment.state != Enrolment.State.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(
        cohort_id=enrolment.cohort_id, state=Enrolment.State.WAITLISTED
    ).filter(Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at,
                                                       pk__lt=enrolment.pk))
    return ahead.count() + 1


def purchase_payments(*, kind: str, key: str) -> QuerySet[Payment]:
    """The payments for one purchase of a registered kind (`lms.purchases`), newest first."""
    return Payment.objects.filter(purchase_kind=kind, purchase_key=key).order_by(
        "-created_at", "-pk")


def purchase_bank_instructions(*, payment: Payment) -> dict[str, str]:
    """What to transfer for an open bank-transfer payment of a registered purchase."""
    account = settings.LMS_BANK_ACCOUNT
    return {
        "account_name": account["name"],
        "bank": account["bank"],
        "account_number": account["number"],
        "amount": f"{payment.amount:.2f}",
        "reference": payment.provider_reference,
    }
