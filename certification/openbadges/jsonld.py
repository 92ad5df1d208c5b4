"""JSON-LD with the bundled contexts only: RDFC-1.0 canonicalisation through pyld, whose
document loader never touches the network (an unknown context URL is refused, not fetched)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXTS_DIR = Path(__file__).resolve().parent.parent / "contexts"
CONTEXT_FILES: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class UnknownContext(Exception):
    """A document names a context that is not bundled: refused, never fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url!r} is not one of the bundled contexts")
        self.url = url


@cache
def _context(url: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text("utf-8"))
    return document


def document_loader(extra: dict[str, dict[str, Any]] | None = None) -> Any:
    """A pyld document loader serving the bundled contexts (and `extra`, for tests)."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if extra and url in extra:
            document = extra[url]
        elif url in CONTEXT_FILES:
            document = _context(url)
        else:
            raise UnknownContext(url)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonicalize(document: dict[str, Any], *,
                 extra_contexts: dict[str, dict[str, Any]] | None = None) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of `document`. Raises UnknownContext for a
    context that is not bundled, and pyld's JsonLdError for a document it cannot expand."""
    try:
        result: str = jsonld.normalize(document, {
            "algorithm": "URDNA2015", "format": "application/n-quads",
            "documentLoader": document_loader(extra_contexts),
        })
    except jsonld.JsonLdError as error:
        cause = _unknown_context_in(error)
        if cause is not None:
            raise cause from error
        raise
    return result


def _unknown_context_in(error: BaseException) -> UnknownContext | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownContext):
            return current
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            nested = details.get("cause")
            if isinstance(nested, BaseException):
                found = _unknown_context_in(nested)
                if found is not None:
                    return found
        current = current.__cause__ or current.__context__
    return None
