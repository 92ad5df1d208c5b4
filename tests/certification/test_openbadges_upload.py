"""Uploading a badge to the verification page (and the API): JSON or baked PNG, bounded and
checked by content, each refusal saying why; rate-limited like lookups by number."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification import services
from certification.models import Credential
from certification.openbadges.baking import KEYWORD, png_bake, png_unbake
from certification.views_openbadges import openbadge_document

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
URL = "/credentials/verify/badge/"
API = "/api/v1/certification/openbadge/verify"


@pytest.fixture
def document(time_machine: Any, coordinator_factory: Any) -> dict[str, Any]:
    time_machine.move_to(NOW, tick=False)
    holder = coordinator_factory(email="li.si@example.com")
    return openbadge_document(Credential.objects.get(holder=holder))


def _upload(client: Any, content: bytes, name: str = "badge.json") -> Any:
    return client.post(URL, {"badge": SimpleUploadedFile(name, content)},
                       HTTP_ACCEPT_LANGUAGE="en")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width: int, height: int, *chunks: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + b"".join(chunks)
            + _chunk(b"IDAT", zlib.compress(b"\0" * 4)) + _chunk(b"IEND", b""))


def _english(client: Any) -> None:
    client.cookies["django_language"] = "en"


def test_the_json_and_the_baked_png_both_verify(client: Any, document: dict[str, Any]) -> None:
    _english(client)
    text = json.dumps(document, ensure_ascii=False)
    for content, name in ((text.encode(), "badge.json"), (png_bake(text), "badge.png")):
        page = _upload(client, content, name)
        assert page.status_code == 200, name
        html = page.content.decode()
        assert 'data-testid="badge-result" data-valid="true"' in html, name
        assert 'data-testid="badge-status" data-status="active"' in html
        assert "CCSO 呼叫中心标准认证中心" in html
        assert document["credentialSubject"]["licenseNumber"] in html


def test_the_baked_png_holds_the_credential_in_an_itxt_chunk(document: dict[str, Any]) -> None:
    from PIL import Image

    text = json.dumps(document, ensure_ascii=False)
    baked = png_bake(text)
    with Image.open(io.BytesIO(baked)) as image:
        assert image.text["openbadgecredential"] == text  # Pillow reads the same chunk
    assert b"iTXt" + KEYWORD + b"\0" in baked
    assert png_unbake(baked) == text


def test_a_revoked_credential_shows_revoked(client: Any, document: dict[str, Any],
                                            cert_admin: Any) -> None:
    credential = Credential.objects.get(number=document["credentialSubject"]["licenseNumber"])
    services.credential_revoke(credential=credential, actor=cert_admin, reason="造假")
    html = _upload(client, json.dumps(document).encode()).content.decode()
    assert 'data-testid="badge-status" data-status="revoked"' in html
    assert 'data-valid="false"' in html


def test_a_changed_json_shows_why_it_fails(client: Any, document: dict[str, Any]) -> None:
    _english(client)
    document["credentialSubject"]["achievement"]["name"] = "注册评审员"
    html = _upload(client, json.dumps(document).encode()).content.decode()
    assert 'data-testid="badge-signature" data-valid="false"' in html
    assert "changed after it was signed" in html
    assert 'data-testid="badge-status"' not in html  # no status for a forgery


def test_uploads_are_bounded_with_clear_errors(client: Any, document: dict[str, Any],
                                               settings: Any) -> None:
    _english(client)
    text = json.dumps(document)
    oversized = json.dumps({**document, "padding": "x" * (300 * 1024)}).encode()
    bomb = _png(100_000, 100_000, _chunk(b"iTXt", KEYWORD + b"\0\0\0\0\0" + text.encode()))
    text_bomb = _png(10, 10, _chunk(b"iTXt", KEYWORD + b"\0\1\0\0\0"
                                    + zlib.compress(b" " * (20 * 1024 * 1024), 9)))
    cases = {
        "oversized JSON": (oversized, "larger than the limit of 256 KB"),
        "PNG bomb": (bomb, "more than a badge may have"),
        "PNG with no credential": (_png(10, 10), "no Open Badges credential"),
        "compressed chunk bomb": (text_bomb, "larger than the limit"),
        "not JSON": (b"hello", "not valid JSON"),
        "deep JSON": (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        "too deep object": (json.dumps(_nested(40)).encode(), "nested too deeply"),
        "damaged PNG": (png_bake(text)[:200], "cut short"),
    }
    for label, (content, message) in cases.items():
        page = _upload(client, content)
        assert page.status_code == 400, label
        assert message in page.content.decode(), label
    # The API answers the same refusals as ErrorOut.
    refused = client.post(API, {"badge": SimpleUploadedFile("b.png", bomb)})
    assert refused.status_code == 400 and refused.json()["code"] == "png_too_large"


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"type": ["VerifiableCredential", "OpenBadgeCredential"]}
    for _level in range(depth):
        value = {"a": value}
    return value


def test_the_api_verifies_an_upload(client: Any, document: dict[str, Any]) -> None:
    answer = client.post(API, {"badge": SimpleUploadedFile(
        "b.png", png_bake(json.dumps(document)))}).json()
    assert answer["valid"] is True and answer["signature_valid"] is True
    assert answer["status"] == "active" and answer["expired"] is False
    assert answer["issued_here"] is True and answer["issuer_id"] == document["issuer"]["id"]
    assert answer["number"] == document["credentialSubject"]["licenseNumber"]
    assert answer["verification_url"] == document["id"]
    document["validUntil"] = "2040-01-01T00:00:00Z"
    forged = client.post(API, {"badge": SimpleUploadedFile(
        "b.json", json.dumps(document).encode())}).json()
    assert forged["valid"] is False and forged["problem_code"] == "signature_mismatch"
    assert forged["status"] == "unknown"


def test_a_foreign_or_unknown_context_badge_is_refused_without_fetching(
        client: Any, document: dict[str, Any]) -> None:
    document["@context"] = [*document["@context"], "https://example.org/evil-context"]
    answer = client.post(API, {"badge": SimpleUploadedFile(
        "b.json", json.dumps(document).encode())}).json()
    assert answer["problem_code"] == "unknown_context" and answer["valid"] is False


def test_uploads_are_rate_limited_like_lookups(client: Any, document: dict[str, Any],
                                               settings: Any) -> None:
    settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE = 2
    content = json.dumps(document).encode()
    codes = [_upload(client, content).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.post(API, {"badge": SimpleUploadedFile("b.json", content)})
    assert limited.status_code == 429 and limited["Retry-After"] == "60"


def test_the_verification_page_links_to_the_upload(client: Any, db: None) -> None:
    page = client.get(reverse("certification:verify")).content.decode()
    assert f'href="{URL}"' in page
