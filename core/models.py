from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEntry(models.Model):
    """One write a person (or the system) made: who, when, what, on which object, and why.

    Entries are append-only: the admin offers no change or delete, and services only create.
    The target is stored as label + primary key rather than a generic foreign key so that an
    entry survives the deletion of what it describes.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system acted on its own (a scheduled task, a webhook)."),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


def _import_upload_name(instance: ImportJob, filename: str) -> str:
    # A random name: the original one is kept in `filename`, and need not be safe or unique.
    return f"imports/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class ImportJob(models.Model):
    """One uploaded file being imported by a Celery task: the page that started it polls it.

    The file lives in the default storage (local disk or S3) only until the task is done. Live
    progress goes to the cache (`core.services.import_job_progress`): the task writes rows
    inside one transaction, where an update of this row would not be seen until the end.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=50, help_text=_("What is imported, e.g. "
                                                                  "exams.questions."))
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=_import_upload_name, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.QUEUED)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.state})"

    @staticmethod
    def progress_cache_key(job_id: int) -> str:
        return f"core:import-job:{job_id}:progress"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class EmailDelivery(models.Model):
    """One message a task was asked to send, keyed by what stays the same when the task runs
    again (its Celery task id, or a business key such as `credential-issued:42`).

    A worker killed after sending but before its task was acknowledged gets the task delivered
    again; the row says the message already went, so the rerun sends nothing.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class OutboxTask(models.Model):
    """A Celery task that could not be sent because the broker could not be reached.

    `core.services.task_queue` keeps it here instead of failing the request that queued it;
    `core.tasks.outbox_drain` sends it (with the same `task_id`) once the broker answers and
    then deletes the row. Tasks are idempotent, so a publish that reached the broker although
    it reported an error, and is sent again from here, does nothing twice.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("kept since"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("kept task")
        verbose_name_plural = _("kept tasks (outbox)")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"
