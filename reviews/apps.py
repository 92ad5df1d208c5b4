from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # lms and certification cannot import reviews: the review fee is paid through lms's
        # providers, certification mails a certified centre's contacts, and counts the reviews
        # done on the platform in the reviewer ranking, by registration.
        from certification.contacts import organisation_contacts_register
        from certification.work_history import platform_reviews_register
        from lms.purchases import purchase_kind_register

        from .selectors import organisation_contacts, platform_completed_reviews
        from .services.applications import ReviewFee

        purchase_kind_register(ReviewFee())
        organisation_contacts_register(organisation_contacts)
        platform_reviews_register(platform_completed_reviews)
