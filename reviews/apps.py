from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # The review fee is paid through lms's providers, which cannot import reviews.
        from lms.purchases import purchase_kind_register

        from .services.applications import ReviewFee

        purchase_kind_register(ReviewFee())
