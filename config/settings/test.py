"""The test suite. Embedded defaults unless DATABASE_URL / CELERY_BROKER_URL point at services."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env_bool, env_str, evidence_storage_from_env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
ALLOWED_HOSTS = ["*"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in-process so each test sees their effects; the tests marked `celery_worker` switch
# this off and send tasks through the real broker to a worker process (which queues the tasks
# its own tasks send through the broker too).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
# Importing a standard (most fixtures do) would typeset its PDFs in every test with Celery
# eager; tests/cms/test_pdf_on_publish.py switches it on.
CMS_STANDARD_PDF_ON_PUBLISH = False
# Tests exercise the rate limits explicitly where they matter; elsewhere they would make
# tests depend on each other through the shared cache.
ACCOUNT_RATE_LIMITS = False
STRIPE_WEBHOOK_SECRET = "whsec_test_secret_for_signature_checks"  # noqa: S105
# Files the tests write (certificate PDFs, uploads) go to a scratch directory, not the working
# tree; the environment carries it to the worker process the integration tests start.
MEDIA_ROOT = Path(
    os.environ.setdefault("CCSO_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="ccso-media-"))
)
# Review evidence, kept apart from MEDIA_ROOT as in every environment.
EVIDENCE_ROOT = os.environ.setdefault("CCSO_TEST_EVIDENCE_ROOT",
                                      tempfile.mkdtemp(prefix="ccso-evidence-"))
STORAGES = {**STORAGES, "evidence": evidence_storage_from_env(EVIDENCE_ROOT)}  # noqa: F405
