"""Reading settings from the environment, with typed helpers and safe defaults."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def media_storage_from_env() -> dict[str, Any]:
    """STORAGES["default"]: with AWS_STORAGE_BUCKET_NAME set, that S3-compatible bucket, so every
    web node and worker sees the same files; otherwise MEDIA_ROOT on local disk. The bucket
    stays private (objects get no ACL): the views that check who asks stream them. The keys
    come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the host's role), read by boto3."""
    bucket = env_str("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def evidence_storage_from_env(root: str) -> dict[str, Any]:
    """STORAGES["evidence"]: the organisations' review evidence, which no URL may reach (the
    views stream page images after checking who asks). On the object store, the same private
    bucket under evidence/; locally the folder `root`, outside MEDIA_ROOT, so the development
    server's /media/ route cannot serve it."""
    media = media_storage_from_env()
    if "OPTIONS" in media:
        return {**media, "OPTIONS": {**media["OPTIONS"], "location": "evidence"}}
    return {"BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root}}
