from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from certification.contacts import organisation_contacts_register

        from .selectors import organisation_contacts

        organisation_contacts_register(organisation_contacts)
