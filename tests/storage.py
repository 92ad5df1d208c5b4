"""A real S3-compatible object store for the tests: moto's server on a free localhost port.

A pytest plugin (tests/conftest.py loads it). `object_store` is the server for the whole run;
`s3_media` points the default storage at a fresh private bucket on it for one test (through
the same environment variables production reads);
`media_storage` runs a test once on the local folder and once on the object store."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"
# moto accepts any key pair; the S3 client signs every request with this one.
ACCESS_KEY = "ccso-test-access"
SECRET_KEY = "ccso-test-secret"


@dataclass(frozen=True)
class ObjectStore:
    endpoint_url: str

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def bucket_create(self) -> str:
        bucket = f"ccso-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def environ(self, bucket: str) -> dict[str, str]:
        """The same, as the environment variables a web node or worker reads."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": REGION, "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def object_store() -> Iterator[ObjectStore]:
    from moto.server import ThreadedMotoServer

    # The server logs every request it answers; failures show in the tests' own assertions.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield ObjectStore(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_media(object_store: ObjectStore, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default storage is a new private bucket on the object store, configured through the
    environment as in production (so processes the test starts use it too); returns its name."""
    from config.settings.env import evidence_storage_from_env, media_storage_from_env

    bucket = object_store.bucket_create()
    for name, value in object_store.environ(bucket).items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_env(),
                         "evidence": evidence_storage_from_env(settings.EVIDENCE_ROOT)}
    return bucket


@pytest.fixture(params=["local", "object_store"])
def media_storage(request: pytest.FixtureRequest) -> str:
    """Run the test on both media backends: MEDIA_ROOT (the embedded default) and S3."""
    if request.param == "object_store":
        request.getfixturevalue("s3_media")
    return str(request.param)
