"""Helpers for the Open Badges tests: the independent verifier (openbadgeslib, from PyPI) wired
to the test client, so it reads our DID document and status lists as a verifier would."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

SITE = "http://127.0.0.1:8000"


def client_download(client: Client) -> Any:
    """What openbadgeslib calls to fetch a URL: here the platform's own view, by its path (a
    did:web resolves to https://<host>/.well-known/did.json)."""

    def download(url: str) -> bytes:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return download


def independent_verify(client: Client, document: dict[str, Any] | str, *,
                       check_status: bool = True) -> Any:
    """openbadgeslib's OB3LdpVerifier with no key given: it resolves the proof's
    verificationMethod through our did:web document, checks the JSON-LD form, the proof, the
    validity window and (check_status) the bits in our status lists. Raises
    OB3VerificationError on any failure."""
    from openbadgeslib.ob3.ldp import OB3LdpVerifier

    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    return OB3LdpVerifier().verify(text, check_status=check_status,
                                   download=client_download(client), verify_status_list=False)
