"""A Celery worker SIGKILLed in the middle of a task: the task runs again and nothing is done
twice. Two ways to die: the whole worker (a lost node; Redis hands the unacknowledged task to
another worker once the visibility timeout passes) and the pool child running the task (the
OOM killer; the worker puts the task back at once). The worker stops at a chosen point of the
task (tests/worker_pause.py) so the kill lands exactly there."""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification import services
from certification.models import Credential
from certification.tasks import credential_issue_for_pass_task
from core.models import AuditEntry, EmailDelivery, ImportJob
from core.tasks import email_deliver
from exams.importing import COLUMNS
from exams.models import Question
from tests.celery_worker import CeleryWorkers, wait_for

pytestmark = [pytest.mark.celery_worker]

# Seconds: short, so a test waits for Redis to hand a dead worker's task on; the hard limit
# stays below it as in production (config/settings/base.py).
VISIBILITY_TIMEOUT = 12
TIMEOUTS = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_TASK_TIME_LIMIT": str(VISIBILITY_TIMEOUT - 1),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(VISIBILITY_TIMEOUT - 2)}


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """One media folder for this test process and its workers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pause_env(tmp_path: Path, media: Path, point: str, at: str) -> dict[str, str]:
    return {"CCSO_TEST_PAUSE": point, "CCSO_TEST_PAUSE_AT": at,
            "CCSO_TEST_PAUSE_FILE": str(tmp_path / "paused"), "CCSO_TEST_MEDIA_ROOT": str(media),
            **TIMEOUTS}


def kill_where_paused(tmp_path: Path, log: Path) -> tuple[int, float]:
    """SIGKILL the process stopped at the pause point; return its pid and when it stopped."""
    sentinel = tmp_path / "paused"
    assert wait_for(lambda: sentinel.exists() and sentinel.read_text(), timeout=60), \
        log.read_text()
    stopped_at = time.monotonic()
    pid = int(sentinel.read_text())
    os.kill(pid, signal.SIGKILL)
    return pid, stopped_at


def wait_past_visibility_timeout(stopped_at: float) -> None:
    time.sleep(max(0.0, stopped_at + VISIBILITY_TIMEOUT + 1.5 - time.monotonic()))


def certificate_files(media: Path) -> list[str]:
    return sorted(p.name for p in (media / "certificates").glob("*/*.pdf"))


def succeeded(log: Path, task: str, count: int = 1) -> bool:
    return sum(1 for line in log.read_text().splitlines()
               if f"Task {task}[" in line and "succeeded" in line) >= count


def test_a_worker_killed_while_issuing_a_credential_issues_it_once(
        celery_workers: CeleryWorkers, user_factory, tmp_path, media):
    holder = user_factory(name_zh="李四", name_en="LI Si")
    env = pause_env(tmp_path, media, "certification.services.issuance:credential_number_next",
                    "before")
    first, first_log = celery_workers.start("first", env=env, through=("tests.worker_pause",))
    credential_issue_for_pass_task.delay(user_id=holder.pk, source_key="exams.attempt:4242",
                                         exam_score="80.00",
                                         passed_at=timezone.now().isoformat())

    pid, stopped_at = kill_where_paused(tmp_path, first_log)
    assert pid == first.pid  # the whole worker, in the middle of the issuing transaction
    first.wait(timeout=10)
    assert not Credential.objects.exists()  # rolled back with the worker's connection

    wait_past_visibility_timeout(stopped_at)
    _second, log = celery_workers.start("second", env=env, through=("tests.worker_pause",))
    assert wait_for(lambda: succeeded(log, "certification.tasks.credential_pdf_generate_task")
                    and succeeded(log, "core.tasks.email_deliver"), timeout=90), log.read_text()

    credential = Credential.objects.get()
    assert credential.holder == holder and credential.pdf_generated_at is not None
    assert AuditEntry.objects.filter(action="certification.credential.issued").count() == 1
    assert certificate_files(media) == [Path(credential.pdf.name).name]
    assert len(list(celery_workers.mail_dir.iterdir())) == 1
    assert EmailDelivery.objects.filter(to=[holder.email], sent_at__isnull=False).count() == 1


def test_a_pool_child_killed_after_writing_the_pdf_leaves_one_file(
        celery_workers: CeleryWorkers, user_factory, tmp_path, media):
    env = pause_env(tmp_path, media,
                    "django.core.files.storage.filesystem:FileSystemStorage.save", "after")
    worker, log = celery_workers.start("prefork", env=env, pool="prefork",
                                       through=("tests.worker_pause",))
    holder = user_factory(name_zh="王五", name_en="WANG Wu")
    credential = services.credential_issue_for_pass(  # queues the PDF and the email on commit
        user_id=holder.pk, source_key="exams.attempt:4343", exam_score=Decimal("82.00"),
        passed_at=timezone.now())

    pid, _stopped_at = kill_where_paused(tmp_path, log)
    assert pid != worker.pid  # the pool child, with the file written and nothing committed
    assert len(certificate_files(media)) == 1
    credential.refresh_from_db()
    assert not credential.pdf

    assert wait_for(lambda: succeeded(log, "certification.tasks.credential_pdf_generate_task"),
                    timeout=90), log.read_text()
    assert "WorkerLostError" in log.read_text()  # the worker saw its child die, and requeued
    credential.refresh_from_db()
    assert credential.pdf_generated_at is not None
    assert certificate_files(media) == [Path(credential.pdf.name).name]
    assert worker.poll() is None


def test_a_worker_killed_after_sending_an_email_does_not_send_it_again(
        celery_workers: CeleryWorkers, user, tmp_path, media):
    env = pause_env(tmp_path, media, "core.services:email_deliver_once", "after")
    first, first_log = celery_workers.start("first", env=env, through=("tests.worker_pause",))
    email_deliver.delay(subject="考试已安排", body="您好，您的考试已安排。", to=[user.email])

    pid, stopped_at = kill_where_paused(tmp_path, first_log)
    assert pid == first.pid  # sent and recorded, but the task never acknowledged
    first.wait(timeout=10)
    assert len(list(celery_workers.mail_dir.iterdir())) == 1

    wait_past_visibility_timeout(stopped_at)
    _second, log = celery_workers.start("second", env=env, through=("tests.worker_pause",))
    assert wait_for(lambda: succeeded(log, "core.tasks.email_deliver"), timeout=60), \
        log.read_text()  # the rerun happened, and found the message already sent
    assert len(list(celery_workers.mail_dir.iterdir())) == 1
    assert EmailDelivery.objects.get().to == [user.email]


def test_a_pool_child_killed_at_the_end_of_an_import_imports_once(
        celery_workers: CeleryWorkers, client, user_factory, tmp_path, media):
    env = pause_env(tmp_path, media, "exams.importing:questions_import", "after")
    worker, log = celery_workers.start("prefork", env=env, pool="prefork",
                                       through=("tests.worker_pause",))
    client.force_login(user_factory(roles=["exam_admin"]))
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS] + [
        [f"K-{n}", "3", "", "", "single", f"第{n}题", "甲", "乙", "", "", "", "", "A", "", ""]
        for n in range(1, 41)])
    client.post(reverse("exams:import"),
                {"file": SimpleUploadedFile("bank.csv", out.getvalue().encode())})

    pid, _stopped_at = kill_where_paused(tmp_path, log)
    assert pid != worker.pid  # every row written, the job not yet marked done
    assert wait_for(lambda: ImportJob.objects.filter(state=ImportJob.State.DONE).first(),
                    timeout=90), log.read_text()
    job = ImportJob.objects.get()
    assert job.result["created"] == 40  # not "40 unchanged": the first run left nothing
    assert Question.objects.count() == 40
    assert list((media / "imports").iterdir()) == []  # the upload goes once it is imported

