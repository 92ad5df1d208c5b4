"""The platform's own 403, 404 and 500 pages, in the person's language and the site's layout, in
production (DEBUG off) and on `make run` (DEBUG on, config/settings/dev.py)."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from core.database_unavailable import server_error

pytestmark = pytest.mark.django_db

ZH, EN = {}, {"HTTP_ACCEPT_LANGUAGE": "en"}
TEXT = {
    404: {"zh-hans": ("找不到该页面", "返回首页"), "en": ("Page not found", "Home page")},
    403: {"zh-hans": ("无权访问", "我的主页"), "en": ("Access denied", "My dashboard")},
    500: {"zh-hans": ("出错了", "返回首页"), "en": ("Something went wrong", "Home page")},
}


def _assert_platform_page(response, status: int, language: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert 'class="site-header"' in body  # the site's layout
    assert f'data-testid="error-{status}"' in body
    for text in TEXT[status][language]:
        assert text in body, text
    assert "Traceback" not in body and "URLconf" not in body


@pytest.fixture
def broken_view(settings, client):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.core.error_urls"
    client.raise_request_exception = False
    return "/broken/"


@pytest.fixture
def dev_settings(settings):  # type: ignore[no-untyped-def]
    """What `make run` runs with: DEBUG on and the dev middleware."""
    from config.settings import dev

    settings.DEBUG = True
    settings.MIDDLEWARE = dev.MIDDLEWARE


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_a_missing_page_is_the_platforms_404(client, home_page, headers, language):
    _assert_platform_page(client.get("/no-such-page/", **headers), 404, language)


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_a_missing_object_in_an_app_is_the_platforms_404(client, user_factory, headers,
                                                          language):
    client.force_login(user_factory())
    _assert_platform_page(client.get("/exams/attempts/999999/", **headers), 404, language)


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_a_page_the_role_does_not_open_is_the_platforms_403(client, user_factory, headers,
                                                             language):
    client.force_login(user_factory(roles=["trainee"]))
    _assert_platform_page(client.get("/training/staff/", **headers), 403, language)


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_an_error_is_the_platforms_500(client, broken_view, headers, language):
    _assert_platform_page(client.get(broken_view, **headers), 500, language)


def test_the_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/broken/", HTTP_ACCEPT_LANGUAGE="en")
    with django_assert_num_queries(0):
        response = server_error(request)
    _assert_platform_page(response, 500, "en")


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_make_run_shows_the_platforms_404_not_djangos_debug_page(client, home_page, dev_settings,
                                                                 headers, language):
    _assert_platform_page(client.get("/no-such-page/", **headers), 404, language)


@pytest.mark.parametrize(("headers", "language"), [(ZH, "zh-hans"), (EN, "en")])
def test_make_run_shows_the_platforms_500_and_logs_the_traceback(
        client, broken_view, dev_settings, caplog, headers, language):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(broken_view, **headers)
    _assert_platform_page(response, 500, language)
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


def test_make_run_keeps_the_403_page(client, user_factory, dev_settings):
    client.force_login(user_factory(roles=["trainee"]))
    _assert_platform_page(client.get("/training/staff/"), 403, "zh-hans")


def test_make_run_leaves_other_middlewares_answers_alone(client, user_factory, dev_settings):
    """allauth answers "confirm your password first" with a redirect, not a 500."""
    from config.settings import base

    client.force_login(user_factory(roles=["trainee"]))
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert "core.error_pages.PlatformErrorPagesMiddleware" not in base.MIDDLEWARE
