from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # lms and certification cannot import reviews: the review fee is paid through lms's
        # providers, and certification mails a certified centre's contacts, by registration.
        from certification.contacts import organisation_contacts_register
        from lms.purchases import purchase_kind_register

        from .selectors import organisation_contacts
        from .services.applications import ReviewFee

        purchase_kind_register(ReviewFee())
        organisation_contacts_register(organisation_contacts)
