from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import User
        from exams.signals import attempt_pass_withdrawn, attempt_passed

        from . import checks  # noqa: F401 (registers the system checks)
        from .receivers import on_attempt_pass_withdrawn, on_attempt_passed, on_user_saved

        attempt_passed.connect(on_attempt_passed, dispatch_uid="certification.attempt_passed")
        attempt_pass_withdrawn.connect(on_attempt_pass_withdrawn,
                                       dispatch_uid="certification.attempt_pass_withdrawn")
        post_save.connect(on_user_saved, sender=User, dispatch_uid="certification.user_saved")
