"""Reads every app uses: the imports a person started."""

from __future__ import annotations

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
