"""One input-hygiene layer: a control character (NUL above all, which PostgreSQL refuses in text)
or text that is not UTF-8, anywhere in a request, is a clear 400 before any view runs — JSON on
the APIs, the site's page elsewhere. These are the probes that gave a 500 on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User

pytestmark = pytest.mark.django_db


def _page_refusal(response, code_point: str | None = "U+0000") -> None:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "无法读取该请求" in body  # the site's page, in Chinese
    assert code_point is None or code_point in body


def _api_refusal(response, code_point: str = "U+0000") -> None:
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert code_point in response.json()["detail"]


def test_a_nul_in_the_registry_search_gets_the_sites_400_page(client):
    _page_refusal(client.get("/credentials/registry/?q=%00"))


def test_a_nul_in_an_api_path_or_query_gets_a_json_400(client):
    _api_refusal(client.get("/api/v1/certification/verify/CCSO%00X"))
    _api_refusal(client.get("/api/v1/certification/registry?q=a%00"))
    _api_refusal(client.get("/api/v1/certification/registry?region=%1B"), "U+001B")


def test_a_negative_registry_offset_is_a_422(client):
    response = client.get("/api/v1/certification/registry?offset=-1")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]
    assert client.get("/api/v1/certification/registry?limit=201").status_code == 422
    assert client.get("/api/v1/certification/registry?offset=0&limit=200").json() == []


def test_a_nul_in_a_form_field_is_refused_before_the_form(client, user):
    client.force_login(user)
    response = client.post("/me/profile/", {"name_zh": "张三\x00", "name_en": "ZHANG San"})
    _page_refusal(response)
    user.refresh_from_db()
    assert user.name_zh != "张三\x00"


def test_a_control_character_in_a_multipart_field_is_refused(client, user):
    client.force_login(user)
    response = client.post("/me/profile/", {
        "name_zh": "张三", "name_en": "ZHANG\x07San",
        "evidence": SimpleUploadedFile("a.pdf", b"%PDF-\x00\x01binary is fine in a file"),
    })
    _page_refusal(response, "U+0007")


def test_tab_and_newlines_in_text_are_still_accepted(client, user):
    client.force_login(user)
    response = client.post("/me/profile/", {"name_zh": "张三", "name_en": "ZHANG San",
                                            "job_title": "主管\r\n"})
    assert response.status_code == 302


def test_escaped_nul_and_lone_surrogates_in_json_are_refused(client):
    for body in ('{"email": "a\\u0000@example.com", "password": "x"}',
                 '{"email": "\\ud800@example.com", "password": "x"}',
                 '{"nested": [{"deep": ["\\u0000"]}]}'):
        response = client.post("/_allauth/app/v1/auth/login", body,
                               content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def test_text_that_is_not_utf8_is_refused_not_replaced(client, user):
    _page_refusal(client.get("/credentials/registry/?q=%FF"), "UTF-8")
    client.force_login(user)
    _page_refusal(client.post("/me/profile/", "name_zh=%E5%BC%A0%FF&name_en=ZHANG",
                              content_type="application/x-www-form-urlencoded"), "UTF-8")
    _api_refusal(client.post("/api/v1/lms/cohorts/x/enrol", b'{"waitlist": "\xff"}',
                             content_type="application/json"), "UTF-8")
    assert User.objects.get(pk=user.pk).name_zh == user.name_zh


def test_a_control_character_in_a_header_or_cookie_is_refused(client):
    _api_refusal(client.get("/api/v1/me", HTTP_X_SESSION_TOKEN="abc\x00def"), "Cookie")
    client.cookies["sessionid"] = "abc\x00def"
    _page_refusal(client.get("/"), None)


def test_the_english_page_says_what_to_do(client):
    client.cookies["django_language"] = "en"
    response = client.get("/credentials/registry/?q=%00")
    assert response.status_code == 400
    assert ("The query string contains a control character (U+0000), which no field accepts. "
            "Remove it and try again.") in response.content.decode()


def test_json_bodies_that_are_not_json_are_left_to_the_api(client, user):
    client.force_login(user)
    response = client.post("/api/v1/lms/cohorts/x/enrol", "{not json",
                           content_type="application/json")
    assert response.status_code == 400 and response.json() == {
        "detail": "Cannot parse request body"}
    assert json.loads(client.get("/api/v1/health").content)["status"] in ("ok", "degraded")
