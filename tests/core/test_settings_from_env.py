"""Settings read from the environment that can send links or money astray.

SITE_URL: `make run` derives it from the port it serves; production insists on https. Every
absolute link the platform writes outside a request (emails, the QR code, the URL printed on the
certificate, the share link) comes from SITE_URL, so `PORT=8766 make run` must set it.
STRIPE_API_BASE: production never sends a live Stripe key anywhere but Stripe.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from django.core import mail
from django.utils import timezone

from certification import services
from tests.browser.test_certification_verify import _qr_url_from_pdf

ROOT = Path(__file__).resolve().parents[2]


def _make_run_site_urls(**env: str) -> set[str]:
    """The SITE_URL each `manage.py` command of `make run` is given (make -n: printed, not run)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")} | env
    printed = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=environ, capture_output=True,
                             text=True, check=True).stdout
    commands = [line for line in printed.splitlines() if "manage.py load_demo" in line
                or "manage.py runserver" in line]
    assert len(commands) == 2, printed
    return {m.group(1) if (m := re.search(r"SITE_URL='([^']*)'", line)) else "" for line in commands}


def test_make_run_on_another_port_writes_that_port_into_certificate_qr_share_link_and_email(
    settings, tmp_path, client, user_factory, django_capture_on_commit_callbacks
):
    (site_url,) = _make_run_site_urls(PORT="8766")
    assert site_url == "http://127.0.0.1:8766"
    settings.SITE_URL = site_url
    settings.MEDIA_ROOT = tmp_path
    holder = user_factory(name_zh="王五", name_en="WANG Wu")

    with django_capture_on_commit_callbacks(execute=True):
        credential = services.credential_issue_for_pass(
            user_id=holder.pk, source_key="exams.attempt:8766", exam_score=Decimal("80.00"),
            passed_at=timezone.now())
    credential.refresh_from_db()

    verify_url = credential.verification_url()
    assert verify_url.startswith("http://127.0.0.1:8766/credentials/verify/")
    printed = subprocess.run(["pdftotext", credential.pdf.path, "-"], capture_output=True,
                             text=True, check=True).stdout
    assert verify_url in printed
    assert _qr_url_from_pdf(credential.pdf.path, tmp_path) == verify_url
    (issued,) = [m for m in mail.outbox if m.to == [holder.email]]
    assert "http://127.0.0.1:8766/credentials/" in issued.body
    assert verify_url in issued.body
    client.force_login(holder)
    page = client.get("/credentials/").content.decode()
    assert f'value="{verify_url}"' in page and "127.0.0.1:8000" not in page


def test_make_run_keeps_a_site_url_that_is_set():
    assert _make_run_site_urls(PORT="8766", SITE_URL="https://academy.example.cn") == {
        "https://academy.example.cn"}


def _production_settings_load(**env: str | None) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh interpreter; `None` leaves a variable unset."""
    environ = {k: v for k, v in os.environ.items() if k not in env} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "academy.example.cn",
        "DATABASE_URL": "sqlite:///:memory:", "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://academy.example.cn",
    }
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_production_loads_only_with_an_https_site_url():
    for wrong in ("http://academy.example.cn", "http://127.0.0.1:8000", None):
        refused = _production_settings_load(SITE_URL=wrong)
        assert refused.returncode != 0, wrong
        assert "ImproperlyConfigured" in refused.stderr and "SITE_URL" in refused.stderr, wrong
    loaded = _production_settings_load(SITE_URL="https://academy.example.cn")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "https://academy.example.cn"


def test_production_refuses_to_send_a_live_stripe_key_to_another_api_base():
    fake = "http://127.0.0.1:12111"
    for live_key in ("sk_live_abc", "rk_live_abc"):
        refused = _production_settings_load(STRIPE_API_BASE=fake, STRIPE_SECRET_KEY=live_key)
        assert refused.returncode != 0
        assert "ImproperlyConfigured" in refused.stderr and "STRIPE_API_BASE" in refused.stderr
    # A staging site with test keys may use stripe-mock or the fake; live keys go to Stripe.
    assert _production_settings_load(STRIPE_API_BASE=fake,
                                     STRIPE_SECRET_KEY="sk_test_abc").returncode == 0
    assert _production_settings_load(STRIPE_SECRET_KEY="sk_live_abc").returncode == 0


def test_pay_by_card_may_redirect_to_the_stand_in_checkout_page_of_stripe_api_base():
    """The browser checks form-action on the redirect after "pay by card" posts (CSP)."""
    code = ("import django; django.setup(); from django.test import Client; "
            "print(Client().get('/api/v1/health/live')['Content-Security-Policy'])")
    environ = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test",
                            "STRIPE_API_BASE": "http://127.0.0.1:12111/v1"}
    policy = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120, check=True).stdout
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()
    assert form_action == ["form-action", "'self'", "https://checkout.stripe.com",
                           "http://127.0.0.1:12111"]
