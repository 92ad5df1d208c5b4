"""Print the demo staff's current two-factor code (demo data only; see accounts/demo.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.demo import demo_totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff logins (valid for about 30 seconds)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(demo_totp_code())
