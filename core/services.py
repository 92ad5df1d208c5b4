"""Services every app uses: the audit log, queued tasks (and their outbox), queued email and
imports run by Celery."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from typing import IO, Any

from celery import Task
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import AuditEntry, EmailDelivery, ImportJob, OutboxTask

logger = logging.getLogger(__name__)
# progress(done, total): rows handled so far, of how many (0 while not yet known)
ImportProgress = Callable[[int, int], None]
# work(file, options, progress) -> what the page shows when done; raises ValidationError
ImportWork = Callable[[IO[bytes], dict[str, Any], ImportProgress], dict[str, Any]]


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the audit log; `action` is dotted, e.g. `lms.enrolment.confirmed`."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        reason=reason,
        data=data or {},
    )


def email_send_templated(
    *,
    to: list[str],
    template_prefix: str,
    context: dict[str, Any],
    language: str | None = None,
) -> None:
    """Render `<prefix>_subject.txt`, `<prefix>_message.txt` and optional `<prefix>_message.html`
    in the recipient's language, and queue the message for Celery once the transaction commits.

    Rendering happens here, in the request, so the task only carries plain strings.
    """
    from .tasks import email_deliver

    with translation.override(language or translation.get_language() or "zh-hans"):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html_body: str | None = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html_body = None
    task_queue_on_commit(email_deliver, subject=subject, body=body, to=to, html_body=html_body)


# --- tasks queued through the broker, kept in the outbox while it cannot be reached ------------

# What a broker that cannot be reached raises from a publish: kombu's wrapper once its retries
# are spent, or the transport's own error. A task that cannot be serialised is a bug: raised.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    BrokerOperationalError, RedisConnectionError, RedisTimeoutError, OSError,
)
# After a failed publish, tasks go straight to the outbox for this long: during an outage a
# request pays for one failed connection per process and interval, not one per task.
BROKER_RETRY_SECONDS = 5.0
_broker_retry_at = 0.0


def task_queue(task: Task, /, *args: Any, **kwargs: Any) -> str:
    """Send `task(*args, **kwargs)` to the broker now; returns its task id.

    When the broker cannot be reached the call is kept in `OutboxTask` instead of raising, and
    `core.tasks.outbox_drain` sends it (same task id) when the broker answers again. With
    Celery eager (`make run`, the tests) the task runs here, as `task.delay` would run it.
    """
    global _broker_retry_at
    task_id = str(uuid.uuid4())
    if task.app.conf.task_always_eager:
        return str(task.apply_async(args=args, kwargs=kwargs, task_id=task_id).id)
    if time.monotonic() >= _broker_retry_at:
        try:
            task.apply_async(args=args, kwargs=kwargs, task_id=task_id)
            return task_id
        except BROKER_ERRORS as error:
            _broker_retry_at = time.monotonic() + BROKER_RETRY_SECONDS
            last_error = f"{type(error).__name__}: {error}"
            logger.warning("tasks: the broker cannot be reached (%s); %s kept in the outbox",
                           last_error, task.name)
    else:
        last_error = "not sent: the broker could not be reached moments ago"
    OutboxTask.objects.create(task_name=task.name, args=list(args), kwargs=kwargs,
                              task_id=task_id, last_error=last_error[:2000])
    return task_id


def task_queue_on_commit(task: Task, /, *args: Any, **kwargs: Any) -> None:
    """`task_queue` once the current transaction commits (at once outside one): the way every
    caller queues a task, so a task never runs against data that was rolled back and a broker
    outage never fails the request."""
    transaction.on_commit(lambda: task_queue(task, *args, **kwargs))


def outbox_drain(*, batch: int = 100) -> dict[str, int]:
    """Send the kept tasks, oldest first, deleting each row once the broker has it. Stops at
    the first failure (the broker is still down: the rows wait for the next run). Safe to run
    twice at once on PostgreSQL: each run takes rows the other has not locked."""
    from celery import current_app

    sent = 0
    while True:
        with transaction.atomic():
            rows = list(OutboxTask.objects.select_for_update(skip_locked=True)
                        .order_by("id")[:batch])
            if not rows:
                break
            for row in rows:
                try:
                    # By name: a row outlives a deploy that renamed or moved its task's module.
                    current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs,
                                          task_id=row.task_id)
                except BROKER_ERRORS as error:
                    OutboxTask.objects.filter(pk=row.pk).update(
                        attempts=models.F("attempts") + 1,
                        last_error=f"{type(error).__name__}: {error}"[:2000])
                    logger.warning("outbox: the broker still cannot be reached (%s)", error)
                    return {"sent": sent, "kept": OutboxTask.objects.count()}
                row.delete()
                sent += 1
    if sent:
        logger.info("outbox: %d kept task(s) sent", sent)
    return {"sent": sent, "kept": OutboxTask.objects.count()}


def email_deliver_once(
    *, key: str, subject: str, body: str, to: list[str], html_body: str | None = None
) -> bool:
    """Send one message unless the delivery `key` was already sent; return whether it was sent
    now. The send and its record commit together, under a lock on the record, so a task run
    again (its worker killed before acknowledging it) or twice at once sends nothing more.
    One window remains: a worker killed after the mail server accepted the message but before
    the commit sends it again on the rerun (at least once, never silently lost)."""
    EmailDelivery.objects.get_or_create(key=key, defaults={"to": to, "subject": subject[:255]})
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(key=key)
        if delivery.sent_at is not None:
            return False
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        if html_body:
            message.attach_alternative(html_body, "text/html")
        message.send()
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


def email_deliveries_prune(*, now: dt.datetime | None = None, days: int = 30) -> int:
    """Forget deliveries older than `days`: a rerun of their task (at most a visibility timeout
    after it was taken, or a few retries) is long past. Returns how many were removed."""
    before = (now or timezone.now()) - dt.timedelta(days=days)
    removed, _by_model = EmailDelivery.objects.filter(created_at__lt=before).delete()
    return removed


# --- imports run by Celery ----------------------------------------------------------------------


def import_job_create(
    *,
    kind: str,
    upload: UploadedFile,
    actor: AbstractBaseUser | None,
    task: Task,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the upload through the default storage and queue `task(job_id)` on commit. The
    uploader's language goes with it, so the task's messages are in that language."""
    job = ImportJob(
        kind=kind, filename=(upload.name or "")[:255],
        created_by_id=actor.pk if actor is not None else None,
        options={**(options or {}), "language": translation.get_language() or "zh-hans"},
    )
    job.file.save(upload.name or "upload", upload, save=False)
    job.save()
    task_queue_on_commit(task, job.pk)
    return job


def import_job_progress(*, job_id: int, done: int, total: int) -> None:
    """Live progress, in the cache: visible to the page while the task's transaction is open."""
    cache.set(ImportJob.progress_cache_key(job_id), (done, total), timeout=24 * 3600)


def import_job_run(*, job_id: int, work: ImportWork) -> None:
    """Run one queued import: safe to run twice. The rows imported and the job marked done
    commit together, under a lock on the job, so a worker killed half-way leaves nothing
    behind and the rerun imports once; a finished job is left alone."""
    if not ImportJob.objects.filter(pk=job_id).exclude(
            state__in=[ImportJob.State.DONE, ImportJob.State.FAILED]).update(
            state=ImportJob.State.RUNNING):
        return  # gone, or finished by an earlier delivery of this task
    result: dict[str, Any] = {}
    errors: list[str] = []
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return
        with translation.override(job.options.get("language")):
            try:
                with transaction.atomic(), job.file.open("rb") as handle:
                    result = work(handle, job.options, lambda done, total: import_job_progress(
                        job_id=job_id, done=done, total=total))
            except ValidationError as error:
                errors = [str(m) for m in error.messages]
            except Exception:  # a bug, not a bad file: logged, and the page says so
                logger.exception("import job %s failed", job_id)
                errors = [gettext("The import stopped on an unexpected error and nothing was "
                                  "imported. The error has been logged.")]
        upload, storage = job.file.name, job.file.storage
        job.file = None
        job.state = ImportJob.State.FAILED if errors else ImportJob.State.DONE
        job.result, job.errors, job.finished_at = result, errors, timezone.now()
        job.save(update_fields=["file", "state", "result", "errors", "finished_at"])
    # The upload goes once the outcome is committed: until then a rerun still finds the file.
    if upload:
        storage.delete(upload)
    cache.delete(ImportJob.progress_cache_key(job_id))
