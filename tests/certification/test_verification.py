"""Public verification by QR link or number: live status, nothing leaked, rate-limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certification import services


@pytest.fixture
def holder_credential(user_factory, pass_credential):
    holder = user_factory(name_zh="王小明", name_en="WANG Xiaoming")
    return pass_credential(holder)


def test_the_qr_link_shows_holder_type_dates_and_active_status(client, holder_credential):
    response = client.get(holder_credential.verification_path())
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ("王小明", "WANG Xiaoming", "注册协调员", holder_credential.number,
                     holder_credential.issued_on.isoformat(),
                     holder_credential.expires_on.isoformat(), 'data-status="active"'):
        assert expected in html
    assert 'name="robots" content="noindex"' in html


def test_the_token_is_long_and_random(holder_credential, user_factory, pass_credential):
    other = pass_credential(user_factory())
    assert len(holder_credential.token) >= 22  # >= 128 bits in URL-safe base64
    assert holder_credential.token != other.token


def test_a_wrong_token_or_unknown_number_reveals_nothing(client, holder_credential):
    wrong = client.get(f"/credentials/verify/{holder_credential.number}/not-the-token/")
    unknown = client.get("/credentials/verify/?number=CCSO-C-2026-999999")
    for response in (wrong, unknown):
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到" in html
        assert "王小明" not in html
        assert "data-status" not in html
        assert holder_credential.expires_on.isoformat() not in html


def test_lookup_by_number_shows_the_same_public_facts(client, holder_credential):
    response = client.get("/credentials/verify/", {"number": holder_credential.number.lower()})
    assert response.status_code == 200
    assert "王小明" in response.content.decode()


def test_revoked_shows_the_date_and_the_reason_only_when_public(client, holder_credential,
                                                               cert_admin):
    services.credential_revoke(credential=holder_credential, actor=cert_admin,
                               reason="内部调查发现考试舞弊", reason_public=False)
    html = client.get(holder_credential.verification_path()).content.decode()
    assert 'data-status="revoked"' in html
    assert timezone.localdate().isoformat() in html
    assert "内部调查发现考试舞弊" not in html

    holder_credential.refresh_from_db()
    holder_credential.status_reason_public = True
    holder_credential.save()
    html = client.get(holder_credential.verification_path()).content.decode()
    assert "内部调查发现考试舞弊" in html


def test_suspended_and_expired_show_as_such(client, holder_credential, cert_admin):
    services.credential_suspend(credential=holder_credential, actor=cert_admin, reason="核查中")
    assert 'data-status="suspended"' in client.get(
        holder_credential.verification_path()).content.decode()

    services.credential_reinstate(credential=holder_credential, actor=cert_admin, reason="核查完毕")
    holder_credential.refresh_from_db()
    holder_credential.expires_on = timezone.localdate() - dt.timedelta(days=1)
    holder_credential.save()
    html = client.get(holder_credential.verification_path()).content.decode()
    assert 'data-status="expired"' in html
    assert "已过期" in html


def test_lookups_by_number_are_rate_limited_per_client(client, settings, holder_credential,
                                                        time_machine):
    settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE = 3
    # All five lookups in one minute of the limit's fixed window.
    time_machine.move_to(timezone.now().replace(second=1), tick=False)
    numbers = [holder_credential.number] + [f"CCSO-C-1999-{n:06d}" for n in range(1, 5)]
    codes = [client.get("/credentials/verify/", {"number": number}).status_code
             for number in numbers]
    assert codes[:3] == [200, 404, 404]
    assert codes[3:] == [429, 429]
    refused = client.get("/credentials/verify/", {"number": holder_credential.number})
    assert refused["Retry-After"] == "60"
    assert "请稍等一分钟后再验证其他证书。" in refused.content.decode()
    # Another client is not affected.
    other = client.get("/credentials/verify/", {"number": holder_credential.number},
                       REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_api_counts_lookups_with_the_page_and_refuses_past_the_limit(
        client, settings, holder_credential, time_machine):
    settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE = 2
    time_machine.move_to(timezone.now().replace(second=1), tick=False)
    assert client.get("/credentials/verify/", {"number": holder_credential.number}
                      ).status_code == 200
    api = f"/api/v1/certification/verify/{holder_credential.number}"
    assert client.get(api).status_code == 200
    refused = client.get(api)
    assert refused.status_code == 429
    assert refused.json() == {"code": "rate_limited", "detail": "查询过于频繁，请一分钟后再试。"}
    assert refused["Retry-After"] == "60"
    # The QR link has its own, higher limit: a holder's shared link still verifies.
    assert client.get(api, {"token": holder_credential.token}).status_code == 200


def test_the_api_verifies_by_number_and_by_token(client, holder_credential):
    by_link = client.get(f"/api/v1/certification/verify/{holder_credential.number}",
                         {"token": holder_credential.token})
    assert by_link.status_code == 200
    body = by_link.json()
    assert body["holder_name_zh"] == "王小明"
    assert body["status"] == "active"
    assert body["type"] == "coordinator"
    wrong_token = f"/api/v1/certification/verify/{holder_credential.number}"
    assert client.get(wrong_token, {"token": "guess"}).json() == {"detail": "未找到。",
                                                                 "code": "not_found"}
    assert client.get(wrong_token, {"token": "guess"}, HTTP_ACCEPT_LANGUAGE="en").json() == {
        "detail": "Not found.", "code": "not_found"}
    assert client.get("/api/v1/certification/verify/CCSO-C-2026-424242").status_code == 404
