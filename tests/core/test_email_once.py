"""A message is sent once per delivery, however often its task runs: the same task id (a
redelivery after a killed worker, a retry) or the same business key sends nothing more."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from core.models import EmailDelivery
from core.services import email_deliveries_prune
from core.tasks import email_deliver


def test_a_task_delivered_twice_sends_its_message_once(db):
    message = {"subject": "考试已安排", "body": "您好，您的考试已安排。", "to": ["a@example.com"]}

    first = email_deliver.apply(kwargs=message, task_id="6f1c0f7e-delivered-twice")
    again = email_deliver.apply(kwargs=message, task_id="6f1c0f7e-delivered-twice")

    assert (first.get(), again.get()) == (True, False)
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert EmailDelivery.objects.get().sent_at is not None


def test_two_tasks_with_one_business_key_send_once_and_other_messages_still_go(db):
    message = {"subject": "证书已签发", "body": "您好。", "to": ["b@example.com"]}

    email_deliver.delay(**message, key="credential-issued:7")
    email_deliver.delay(**message, key="credential-issued:7")
    email_deliver.delay(**message)
    email_deliver.delay(**message)

    assert len(mail.outbox) == 3  # one for the key, one for each task without a key


def test_deliveries_are_forgotten_a_month_later(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    email_deliver.delay(subject="旧消息", body="您好。", to=["c@example.com"])
    time_machine.move_to(dt.datetime(2026, 3, 25, 9, 0, tzinfo=dt.UTC), tick=False)
    email_deliver.delay(subject="新消息", body="您好。", to=["c@example.com"])

    assert email_deliveries_prune(now=dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)) == 1
    assert list(EmailDelivery.objects.values_list("subject", flat=True)) == ["新消息"]
