"""Domain errors of lms: each carries a message a person can act on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class LmsError(DomainError):
    pass


class CohortUnavailable(LmsError):
    pass


class CohortFull(LmsError):
    def __init__(self) -> None:
        super().__init__(
            _("This cohort is full. You can join its waitlist and we will email you if a seat "
              "becomes free."),
            code="full",
        )


class AlreadyEnrolled(LmsError):
    def __init__(self) -> None:
        super().__init__(_("You already have an enrolment in this cohort."), code="duplicate")


class EnrolmentStateError(LmsError):
    pass


class PaymentError(LmsError):
    pass

