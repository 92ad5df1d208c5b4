"""The browser runs every test under the production Content-Security-Policy: what the policy
blocks fails the test, and the pages that reach outside our origin on purpose still work."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations_check
from tests.browser.csp_probe_urls import CHECKOUT_URL

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.urls("tests.browser.csp_probe_urls")
def test_an_inline_script_is_blocked_and_fails_the_test(page, csp_violations):
    page.goto("/csp-probe/")

    expect(page.locator("#status")).to_have_text("inline script blocked")
    page.wait_for_function("1")  # a round trip: the browser's report has reached the test
    assert len(csp_violations) == 1
    assert csp_violations[0].startswith("script-src-elem blocked inline at ")
    with pytest.raises(pytest.fail.Exception, match="Content-Security-Policy violations"):
        csp_violations_check(csp_violations)
    csp_violations.clear()  # the failure is this test's expected outcome, not its teardown's


@pytest.mark.urls("tests.browser.csp_probe_urls")
def test_a_form_posting_to_us_may_be_redirected_to_stripe_checkout(page):
    """Chromium applies form-action to the redirect after a POST as well, so the policy must
    name Stripe Checkout; its page is faked (no network here)."""
    page.route("https://checkout.stripe.com/**", lambda route: route.fulfill(
        content_type="text/html", body="<title>Stripe Checkout</title>"))
    page.goto("/checkout-probe/")
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url(CHECKOUT_URL)
    assert page.title() == "Stripe Checkout"


def test_the_wagtail_and_django_admins_work_under_the_policy(page, live_server, user_factory,
                                                             home_page):
    """The Wagtail admin's inline scripts run and its live preview frames our own page, both
    allowed for /cms-admin/ only; the Django admin needs no relaxation."""
    admin = user_factory(email="admin@example.com", is_staff=True, is_superuser=True)
    # Signed in as after a complete login (the admins' own login is allauth's, tested elsewhere).
    client = Client()
    client.force_login(admin)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session,
                               "url": live_server.url}])

    page.goto(f"/cms-admin/pages/{home_page.pk}/edit/")
    page.locator('[data-side-panel-toggle="preview"]').click()
    preview = page.frame_locator("#w-preview-iframe[src]")  # once the loaded proxy replaced it
    expect(preview.locator("h1")).to_have_text(home_page.headline)
    page.goto("/cms-admin/pages/search/?q=x")  # filters with the admin's inline date choosers

    page.goto("/django-admin/lms/cohort/add/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()  # the admin's own scripts ran


def _sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("电子邮件").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/me/$"))


def test_the_two_factor_set_up_shows_its_qr_code(page, user_factory):
    """allauth draws the TOTP QR code as a data: image, which img-src allows."""
    user_factory(roles=["trainee"], email="sun@example.com", password="Trainee-Pass-2026")
    _sign_in(page, "sun@example.com", "Trainee-Pass-2026")
    page.goto("/accounts/2fa/totp/activate/")
    page.get_by_label("密码").fill("Trainee-Pass-2026")  # allauth asks again before 2FA changes
    page.get_by_role("button", name="确认").click()

    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0
