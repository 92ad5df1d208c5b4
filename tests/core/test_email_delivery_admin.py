"""The admin answers "did my email go?": every message a task sent or still has to send, read
only (rows are written by the mail task alone)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import EmailDelivery

pytestmark = pytest.mark.django_db


def test_an_administrator_finds_a_message_and_whether_it_went(client, user_factory):
    EmailDelivery.objects.create(key="credential-issued:7", to=["wang@example.cn"],
                                 subject="您的证书已签发",
                                 sent_at=dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC))
    EmailDelivery.objects.create(key="credential-issued:8", to=["li@example.cn"],
                                 subject="您的证书已签发")
    client.force_login(user_factory(is_staff=True, is_superuser=True))

    found = client.get("/django-admin/core/emaildelivery/", {"q": "wang@example.cn"})
    assert found.status_code == 200
    assert "wang@example.cn" in found.content.decode()
    assert "li@example.cn" not in found.content.decode()
    waiting = client.get("/django-admin/core/emaildelivery/", {"sent_at__isempty": "1"})
    assert "li@example.cn" in waiting.content.decode()
    assert "wang@example.cn" not in waiting.content.decode()
    assert client.get("/django-admin/core/emaildelivery/add/").status_code == 403
    row = EmailDelivery.objects.get(key="credential-issued:8")
    assert client.post(f"/django-admin/core/emaildelivery/{row.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert EmailDelivery.objects.filter(pk=row.pk).exists()
