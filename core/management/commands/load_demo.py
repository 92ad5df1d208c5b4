"""Load demo content for every app, idempotently: running it twice changes nothing."""

from __future__ import annotations

import importlib
import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings


class Command(BaseCommand):
    help = "Load the demo standard, course, exam and accounts (safe to run repeatedly)."

    def handle(self, *args: object, **options: object) -> None:
        # Each app that has demo content exposes `<app>.demo.load(stdout)`; apps are loaded in
        # dependency order (settings.PROJECT_APPS) so later apps can find earlier apps' data.
        # The emails demo events would send (credentials issued, promotions) go nowhere: printed
        # to the console they would bury the demo logins.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load_apps()
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))

    def _load_apps(self) -> None:
        for app_name in settings.PROJECT_APPS:
            if importlib.util.find_spec(f"{app_name}.demo") is None:
                continue
            module = importlib.import_module(f"{app_name}.demo")
            with transaction.atomic():
                module.load(self.stdout)
