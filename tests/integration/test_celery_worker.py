"""Tasks really cross the broker to a worker process and have their effect."""

import pytest
from django.db import transaction

from core.tasks import email_deliver
from tests.celery_worker import wait_for

pytestmark = [pytest.mark.celery_worker]


def test_email_queued_on_commit_is_delivered_by_the_worker(celery_worker_process, user):
    mail_dir = celery_worker_process["mail_dir"]
    with transaction.atomic():
        transaction.on_commit(
            lambda: email_deliver.delay(
                subject="报名已收到", body="您好，我们已收到您的报名。", to=[user.email]
            )
        )
        # Queued on commit: nothing can have been sent while the transaction is open.
        assert list(mail_dir.iterdir()) == []

    files = wait_for(lambda: list(mail_dir.iterdir()))
    assert files, celery_worker_process["log"].read_text()
    message = files[0].read_text()
    assert f"To: {user.email}" in message
    assert "core.tasks.email_deliver" in celery_worker_process["log"].read_text()
