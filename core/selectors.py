"""Reads every app uses: the imports a person started, what an audit entry is called."""

from __future__ import annotations

import functools
import importlib
import importlib.util

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from .models import ImportJob


def import_job_for(*, job_id: int, kind: str,
                   user: AbstractBaseUser | AnonymousUser) -> ImportJob | None:
    """The job, only for the person who uploaded it."""
    if user.pk is None:
        return None
    return ImportJob.objects.filter(pk=job_id, kind=kind, created_by_id=user.pk).first()


def import_job_progress_get(*, job: ImportJob) -> tuple[int, int] | None:
    """(rows done, rows in all) while the task runs; None before it starts or once done."""
    return None if job.finished else cache.get(ImportJob.progress_cache_key(job.pk))


@functools.cache
def _audit_action_labels() -> dict[str, str]:
    """Every app's `<app>.audit.ACTION_LABELS` (audit code -> translatable label)."""
    labels: dict[str, str] = {}
    for app_name in settings.PROJECT_APPS:
        if importlib.util.find_spec(f"{app_name}.audit") is not None:
            labels.update(importlib.import_module(f"{app_name}.audit").ACTION_LABELS)
    return labels


def audit_action_label(action: str) -> str:
    """What a person reads for an audit entry's code, in the active language; the code itself
    for one no app has named yet (shown, never hidden)."""
    return str(_audit_action_labels().get(action, action))
