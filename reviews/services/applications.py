"""The applicant's side of a review: registering an organisation and its members, its review
profile and sites, the application (a draft `ReviewProject`), the review fee paid through lms's
payment providers (`ReviewFee`, registered in `ReviewsConfig.ready`), and the certification
admins accepting or returning it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.roles import CERTIFICATION_ADMIN
from certification.models import CentreType
from core.services import audit_record, email_send_templated
from lms import selectors as lms_selectors
from lms import services as lms_services
from lms.models import Payment
from lms.purchases import PurchaseKind, PurchaseTerms

from .. import selectors
from ..conf import setting
from ..errors import ReviewError
from ..models import (
    Channel,
    Industry,
    MemberRole,
    OrganisationMember,
    OrganisationProfile,
    OrganisationSite,
    ProjectState,
    ReviewProject,
)

FEE_KIND = "reviews.fee"


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _email(users: Iterable[User], template: str, **context: object) -> None:
    """One message per person, each in their own language."""
    for user in users:
        email_send_templated(
            to=[user.email], template_prefix=f"reviews/email/{template}",
            language=user.language,
            context={"user": user, "site_url": _site_url(), **context},
        )


def _certification_admins() -> list[User]:
    return list(User.objects.filter(groups__name=CERTIFICATION_ADMIN, is_active=True)
                .distinct().order_by("pk"))


def _admin_check(organisation: Organisation, by: User) -> None:
    if not OrganisationMember.objects.filter(organisation=organisation, user=by,
                                             role=MemberRole.ADMIN).exists():
        raise ReviewError(_("Only an admin of the organisation can do this."), code="forbidden")


def _member_check(organisation_id: int, by: User) -> None:
    if selectors.organisation_membership(by, organisation_id) is None:
        raise ReviewError(_("You are not a member of this organisation."), code="forbidden")


# --- The organisation, its profile, sites and members.
@transaction.atomic
def organisation_register(*, user: User, name: str, credit_code: str) -> Organisation:
    """A signed-in person registers their organisation and becomes its admin. An organisation
    already on the platform is never joined this way: with an admin, that admin adds colleagues;
    without one (an employer named in work histories), a certification admin attaches its
    first admin."""
    name, credit_code = name.strip(), credit_code.strip().upper()
    if not name:
        raise ReviewError({"name": [_("Enter the organisation's name.")]})
    existing = Organisation.objects.filter(name=name).first() or (
        Organisation.objects.filter(credit_code=credit_code).first() if credit_code else None)
    if existing is not None:
        if OrganisationMember.objects.filter(organisation=existing,
                                             role=MemberRole.ADMIN).exists():
            raise ReviewError(
                _("%(name)s is already registered and has an admin: ask them to add you as a "
                  "colleague.") % {"name": existing.name}, code="exists")
        raise ReviewError(
            _("%(name)s is already on the platform but has no admin yet. A certification "
              "admin must attach you as its admin: write to them with proof that you act "
              "for it.") % {"name": existing.name}, code="needs_attaching")
    organisation = Organisation(name=name, credit_code=credit_code)
    organisation.full_clean()
    organisation.save()
    OrganisationMember.objects.create(organisation=organisation, user=user,
                                      role=MemberRole.ADMIN, added_by=user)
    audit_record(actor=user, action="reviews.organisation.registered", target=organisation,
                 data={"admin": user.pk})
    return organisation


@transaction.atomic
def profile_save(*, organisation: Organisation, by: User, industry: str, centre_type: str,
                 seats: int, channels: Sequence[str]) -> OrganisationProfile:
    _admin_check(organisation, by)
    errors: dict[str, list[str]] = {}
    if industry not in Industry.values:
        errors["industry"] = [_("Choose an industry from the list.")]
    if centre_type not in CentreType.values:
        errors["centre_type"] = [_("Choose a centre type from the list.")]
    if seats < 1:
        errors["seats"] = [_("Enter the number of seats (at least 1).")]
    chosen = [value for value in Channel.values if value in set(channels)]
    if not chosen or len(chosen) != len(set(channels)):
        errors["channels"] = [_("Choose at least one channel from the list.")]
    if errors:
        raise ReviewError(errors)
    profile, _created = OrganisationProfile.objects.update_or_create(
        organisation=organisation,
        defaults={"industry": industry, "centre_type": centre_type, "seats": seats,
                  "channels": chosen},
    )
    audit_record(actor=by, action="reviews.organisation.profile_saved", target=organisation,
                 data={"industry": industry, "centre_type": centre_type, "seats": seats,
                       "channels": chosen})
    return profile


@transaction.atomic
def site_add(*, organisation: Organisation, by: User, name: str, address: str,
             seats: int) -> OrganisationSite:
    _admin_check(organisation, by)
    name, address = name.strip(), address.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the site's name.")]
    if not address:
        errors["address"] = [_("Enter the site's address.")]
    if seats < 1:
        errors["seats"] = [_("Enter the number of seats (at least 1).")]
    if errors:
        raise ReviewError(errors)
    try:
        with transaction.atomic():
            site = OrganisationSite.objects.create(organisation=organisation, name=name,
                                                   address=address, seats=seats)
    except IntegrityError:
        raise ReviewError({"name": [_("The organisation already has a site of this name.")]}
                          ) from None
    audit_record(actor=by, action="reviews.site.added", target=organisation,
                 data={"site": site.pk, "name": name, "seats": seats})
    return site


@transaction.atomic
def site_remove(*, site: OrganisationSite, by: User) -> None:
    """A site in the scope of an application beyond its draft stays: the review is about it."""
    _admin_check(site.organisation, by)
    if site.projects.exclude(state__in=ReviewProject.EDITABLE_STATES).exists():
        raise ReviewError(_("This site is in the scope of a submitted application and cannot "
                            "be removed."), code="in_scope")
    audit_record(actor=by, action="reviews.site.removed", target=site.organisation,
                 data={"site": site.pk, "name": site.name})
    site.delete()


@transaction.atomic
def member_add(*, organisation: Organisation, by: User, email: str,
               role: str = MemberRole.MEMBER) -> OrganisationMember:
    """An admin adds a colleague by the email of their existing account."""
    _admin_check(organisation, by)
    if role not in MemberRole.values:
        raise ReviewError({"role": [_("Choose a role from the list.")]})
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ReviewError({"email": ReviewError(_(
            "No account has this email address. Ask your colleague to sign up first, then add "
            "them."), code="no_account")})
    member, created = OrganisationMember.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role, "added_by": by})
    if not created:
        raise ReviewError({"email": ReviewError(_("%(name)s is already a member.")
                                                % {"name": user.display_name},
                                                code="duplicate")})
    audit_record(actor=by, action="reviews.organisation.member_added", target=organisation,
                 data={"user": user.pk, "role": role})
    _email([user], "member_added", organisation=organisation, member=member, by=by)
    return member


@transaction.atomic
def member_remove(*, member: OrganisationMember, by: User) -> None:
    organisation = member.organisation
    _admin_check(organisation, by)
    if member.role == MemberRole.ADMIN and not OrganisationMember.objects.filter(
            organisation=organisation, role=MemberRole.ADMIN).exclude(pk=member.pk).exists():
        raise ReviewError(_("The organisation's last admin cannot be removed: make another "
                            "member admin first."), code="last_admin")
    audit_record(actor=by, action="reviews.organisation.member_removed", target=organisation,
                 data={"user": member.user_id, "role": member.role})
    _email([member.user], "member_removed", organisation=organisation, by=by)
    member.delete()


# --- The application.
@dataclass(frozen=True)
class ApplicationData:
    """What the applicant types; identifiers as typed, resolved by the service."""

    standard_version_id: int | None
    site_ids: Sequence[int] = ()
    coordinators: Sequence[str] = ()  # emails or credential numbers
    consulting_firm: str = ""  # an organisation's name or credit code
    declared_true: bool = False


def _application_resolve(organisation: Organisation, data: ApplicationData, *,
                          today: dt.date) -> tuple[dict[str, object], list[User],
                                                   list[OrganisationSite]]:
    errors: dict[str, list[str]] = {}
    version = (selectors.published_standard_versions().filter(pk=data.standard_version_id)
               .first() if data.standard_version_id else None)
    if version is None:
        errors["standard_version"] = [_("Choose a published version of the standard.")]
    sites = list(OrganisationSite.objects.filter(organisation=organisation,
                                                 pk__in=list(data.site_ids)))
    if len(sites) != len(set(data.site_ids)):
        errors["sites"] = [_("Choose sites of your organisation only.")]
    coordinators, unresolved = selectors.coordinators_resolve(data.coordinators, today=today)
    if unresolved:
        errors["coordinators"] = [
            _("No holder of an active registered-coordinator credential has this email or "
              "credential number: %(identifiers)s.") % {"identifiers": ", ".join(unresolved)}]
    firm = None
    if data.consulting_firm.strip():
        firm = selectors.organisation_by_name_or_code(data.consulting_firm)
        if firm is None:
            errors["consulting_firm"] = [_("No organisation on the platform has this name or "
                                           "credit code.")]
        elif firm.pk == organisation.pk:
            errors["consulting_firm"] = [_("The consulting firm cannot be the applicant "
                                           "itself.")]
    if errors:
        raise ReviewError(errors)
    return {"standard_version": version, "consulting_firm": firm}, coordinators, sites


def _application_write(project: ReviewProject, data: ApplicationData, *, by: User,
                       now: dt.datetime) -> ReviewProject:
    fields, coordinators, sites = _application_resolve(project.organisation, data,
                                                       today=timezone.localdate(now))
    for name, value in fields.items():
        setattr(project, name, value)
    project.scope = "、".join(site.name for site in sorted(sites, key=lambda s: s.name))
    if data.declared_true and not project.declared_true:
        project.declared_by, project.declared_at = by, now
    elif not data.declared_true:
        project.declared_by, project.declared_at = None, None
    project.declared_true = data.declared_true
    project.save()
    project.sites.set(sites)
    project.coordinators.set(coordinators)
    return project


@transaction.atomic
def application_create(*, organisation: Organisation, by: User, data: ApplicationData,
                       now: dt.datetime | None = None) -> ReviewProject:
    """A member of the organisation starts an application (a draft project)."""
    now = now or timezone.now()
    _member_check(organisation.pk, by)
    project = ReviewProject(organisation=organisation, created_by=by, state=ProjectState.DRAFT)
    _application_write(project, data, by=by, now=now)
    audit_record(actor=by, action="reviews.application.created", target=project)
    return project


@transaction.atomic
def application_update(*, project: ReviewProject, by: User, data: ApplicationData,
                       now: dt.datetime | None = None) -> ReviewProject:
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().select_related("organisation").get(
        pk=project.pk)
    _member_check(project.organisation_id, by)
    if not project.is_editable:
        raise ReviewError(_("The application has been submitted and can no longer be "
                            "changed."), code="not_editable")
    _application_write(project, data, by=by, now=now)
    audit_record(actor=by, action="reviews.application.updated", target=project)
    return project


def application_missing(project: ReviewProject) -> list[str]:
    """What the application still lacks before it can be submitted (empty when complete)."""
    missing = []
    if not project.sites.exists():
        missing.append(_("Choose at least one site for the scope."))
    if not project.declared_true:
        missing.append(_("Declare that the application is true."))
    return missing


def _application_complete_check(project: ReviewProject) -> None:
    missing = application_missing(project)
    if missing:
        raise ReviewError(" ".join(missing), code="incomplete")


def fee_paid(project: ReviewProject) -> bool:
    return lms_selectors.purchase_payments(kind=FEE_KIND, key=str(project.pk)).filter(
        state__in=Payment.PAID_STATES).exists()


def fee_checkout_start(*, project: ReviewProject, by: User, provider: str,
                       success_url: str = "", cancel_url: str = "",
                       fapiao: dict[str, str] | None = None) -> lms_services.CheckoutResult:
    """Pay the review fee (Stripe, or bank transfer with fapiao details) as a course is paid;
    the payment submits the application."""
    return lms_services.purchase_checkout_start(
        kind=FEE_KIND, key=str(project.pk), user=by, provider=provider,
        success_url=success_url, cancel_url=cancel_url, fapiao=fapiao)


def fee_sync(*, project: ReviewProject) -> str:
    """Re-read the project's open card/Alipay/WeChat checkouts (back from Stripe before its
    event arrives): "paid", "open" or "expired"."""
    outcome = "expired"
    for payment in lms_selectors.purchase_payments(kind=FEE_KIND, key=str(project.pk)).filter(
            provider="stripe", state=Payment.State.CREATED):
        outcome = lms_services.payment_sync(payment_id=payment.pk)
        if outcome == "paid":
            break
    return "paid" if fee_paid(project) else outcome


def _submitted(project: ReviewProject, *, by: User | None, now: dt.datetime,
               resubmitted: bool) -> None:
    was = project.state
    project.state = ProjectState.SUBMITTED
    project.submitted_at = now
    project.save(update_fields=["state", "submitted_at", "updated_at"])
    audit_record(actor=by, action="reviews.application.submitted", target=project,
                 data={"from": was, "resubmitted": resubmitted})
    context = {"project": project, "organisation": project.organisation,
               "resubmitted": resubmitted}
    _email(selectors.organisation_admins(project.organisation_id), "application_submitted",
           **context)
    _email(_certification_admins(), "application_to_check", **context)


@transaction.atomic
def application_resubmit(*, project: ReviewProject, by: User,
                         now: dt.datetime | None = None) -> ReviewProject:
    """A returned application, corrected, goes back to the certification admins; its fee was
    paid once and is not asked for again."""
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().select_related("organisation").get(
        pk=project.pk)
    _member_check(project.organisation_id, by)
    if project.state != ProjectState.RETURNED or not fee_paid(project):
        raise ReviewError(_("Only a returned application whose fee is paid is resubmitted; "
                            "a new application is submitted by paying its fee."),
                          code="not_returned")
    _application_complete_check(project)
    _submitted(project, by=by, now=now, resubmitted=True)
    return project


@transaction.atomic
def project_accept(*, project: ReviewProject, by: User,
                   now: dt.datetime | None = None) -> ReviewProject:
    """A certification admin accepts a submitted application: its draw can be run."""
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().select_related("organisation").get(
        pk=project.pk)
    if project.state != ProjectState.SUBMITTED:
        raise ReviewError(_("Only a submitted application can be accepted."),
                          code="not_submitted")
    project.state = ProjectState.ACCEPTED
    project.accepted_at = now
    project.save(update_fields=["state", "accepted_at", "updated_at"])
    audit_record(actor=by, action="reviews.application.accepted", target=project)
    _email(selectors.organisation_admins(project.organisation_id), "application_accepted",
           project=project, organisation=project.organisation)
    return project


@transaction.atomic
def project_return(*, project: ReviewProject, by: User, reason: str,
                   now: dt.datetime | None = None) -> ReviewProject:
    """A certification admin returns a submitted application with a reason the applicant reads;
    they correct it and resubmit."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReviewError({"reason": [_("Say what the applicant must correct.")]})
    project = ReviewProject.objects.select_for_update().select_related("organisation").get(
        pk=project.pk)
    if project.state != ProjectState.SUBMITTED:
        raise ReviewError(_("Only a submitted application can be returned."),
                          code="not_submitted")
    project.state = ProjectState.RETURNED
    project.return_reason = reason
    project.returned_at = now
    project.save(update_fields=["state", "return_reason", "returned_at", "updated_at"])
    audit_record(actor=by, action="reviews.application.returned", target=project,
                 reason=reason)
    _email(selectors.organisation_admins(project.organisation_id), "application_returned",
           project=project, organisation=project.organisation, reason=reason)
    return project


# --- The review fee as a purchase of lms's.
def fee_amount() -> Decimal:
    return Decimal(setting("REVIEWS_FEE")).quantize(Decimal("0.01"))


class ReviewFee(PurchaseKind):
    """The review fee of one application (key: the project's id)."""

    identifier = FEE_KIND
    verbose_name = gettext_lazy("Review fee")

    def terms_many(self, keys: list[str]) -> dict[str, PurchaseTerms]:
        projects = ReviewProject.objects.filter(pk__in=[int(k) for k in keys]).select_related(
            "organisation", "created_by", "standard_version")
        return {str(project.pk): self._terms(project) for project in projects}

    def terms(self, key: str) -> PurchaseTerms:
        return self.terms_many([key])[key]

    def _terms(self, project: ReviewProject) -> PurchaseTerms:
        payer = project.created_by
        return PurchaseTerms(
            title=_("Review fee: %(organisation)s · %(version)s") % {
                "organisation": project.organisation.name,
                "version": project.standard_version.title},
            amount=fee_amount(), reference=project.reference,
            payer_name=project.organisation.name,
            payer_email=payer.email if payer is not None else "",
            metadata={"review_project_id": str(project.pk)},
        )

    def payable_check(self, key: str, *, user: User) -> None:
        project = ReviewProject.objects.select_for_update().get(pk=int(key))
        _member_check(project.organisation_id, user)
        if project.state != ProjectState.DRAFT:
            raise ReviewError(_("The fee is paid once, with the application in draft."),
                              code="not_draft")
        _application_complete_check(project)

    def paid(self, key: str, *, payment: Payment, by: User | None) -> bool:
        project = ReviewProject.objects.select_for_update().select_related("organisation").get(
            pk=int(key))
        if project.state != ProjectState.DRAFT:
            return False
        _submitted(project, by=by, now=payment.confirmed_at or timezone.now(),
                   resubmitted=False)
        return True
