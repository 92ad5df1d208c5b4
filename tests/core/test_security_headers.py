"""Content-Security-Policy and Permissions-Policy: sent by production settings, strict on our
pages, relaxed only where a setting says so, and our templates keep to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.core.production_probe import production_probe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self' https://checkout.stripe.com"
)


def test_production_settings_send_both_headers(tmp_path):
    """Under config.settings.production, as gunicorn runs it (over HTTPS behind the proxy)."""
    probe = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/api/v1/openapi.json', secure=True)\n"
        "print(json.dumps({'status': response.status_code, **response.headers}))\n"
    )
    headers = json.loads(production_probe(probe, tmp_path))
    assert headers["status"] == 200
    assert headers["Content-Security-Policy"] == STRICT_CSP
    assert headers["Permissions-Policy"].startswith("accelerometer=(), camera=(), ")
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "payment=()" in headers["Permissions-Policy"]


def test_public_pages_and_error_pages_get_the_strict_policy(client, home_page):
    for path, status in (("/", 200), ("/no-such-page/", 404), ("/api/v1/openapi.json", 200)):
        response = client.get(path)
        assert response.status_code == status
        assert response["Content-Security-Policy"] == STRICT_CSP, path


def test_a_rejected_form_explains_itself_without_inline_style(home_page):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@b.cn"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单未能提交" in page
    assert "<style" not in page
    assert "/static/css/site.css" in page


def test_with_debug_on_the_technical_error_page_is_left_readable(client, settings, home_page):
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no-such-page/")
    assert client.get("/")["Content-Security-Policy"] == STRICT_CSP


def test_the_wagtail_admin_alone_may_run_inline_script_and_be_framed_by_itself(client):
    admin = client.get("/cms-admin/login/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin
    assert "frame-ancestors 'self'" in admin
    assert "object-src 'none'" in admin  # what the override does not name stays strict
    assert "'unsafe-inline'" not in client.get("/django-admin/login/")["Content-Security-Policy"]


def test_a_page_opts_in_to_the_camera_through_the_setting(client, settings, home_page):
    settings.PERMISSIONS_POLICY_PATH_OVERRIDES = {"/training/": {"camera": ["self"]}}
    assert "camera=(self)" in client.get("/training/")["Permissions-Policy"]
    assert "camera=()" in client.get("/")["Permissions-Policy"]


# Rendered by WeasyPrint on the server, never by a browser: the policy does not apply.
PDF_TEMPLATES = {"cms/templates/cms/standard_pdf.html", "lms/templates/lms/payment_notice.html"}
INLINE = re.compile(r"<style|\sstyle=|\son[a-z]+=|javascript:|<script(?![^>]*\ssrc=)")


def test_no_template_of_ours_has_inline_script_or_style():
    """The browser tests visit most pages; this covers the ones they do not."""
    offenders = []
    for template in sorted(ROOT.glob("*/templates/**/*.html")):
        name = str(template.relative_to(ROOT))
        if name in PDF_TEMPLATES:
            continue
        offenders += [f"{name}: {m.group(0)}" for m in INLINE.finditer(template.read_text())]
    assert offenders == []
