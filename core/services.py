"""Services every app uses: the audit log, queued email and imports run by Celery."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import IO, Any

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

from .models import AuditEntry, EmailDelivery, ImportJob

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
    transaction.on_commit(
        lambda: email_deliver.delay(subject=subject, body=body, to=to, html_body=html_body)
    )


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
    queue: Callable[[int], Any],
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the upload through the default storage and queue `queue(job_id)` on commit. The
    uploader's language goes with it, so the task's messages are in that language."""
    job = ImportJob(
        kind=kind, filename=(upload.name or "")[:255],
        created_by_id=actor.pk if actor is not None else None,
        options={**(options or {}), "language": translation.get_language() or "zh-hans"},
    )
    job.file.save(upload.name or "upload", upload, save=False)
    job.save()
    transaction.on_commit(lambda: queue(job.pk))
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
