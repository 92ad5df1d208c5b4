"""Checking an Open Badges 3.0 credential someone uploads (JSON, or a baked PNG): the proof, who
issued it, its current status read from the status lists as they are served now, and its
validity period. Everything refused says why, in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyld.jsonld import JsonLdError

from .. import selectors
from ..models import Credential
from .baking import PNG_SIGNATURE, BakingError, png_unbake
from .bitstring import BitstringError, bit_is_set, decode_list
from .documents import CREDENTIAL_CONTEXT, PURPOSES, status_list_unsigned, status_list_url
from .jsonld import UnknownContext
from .keys import issuer_did, issuer_key_for
from .proof import ProofInvalid, proof_of, proof_verify

MAX_JSON_DEPTH = 32


class BadgeUnreadable(ValueError):
    """The upload is not a credential we can read at all (size, format, JSON)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class BadgeCheck:
    """What the verification page and the API show about one uploaded credential."""

    signature_valid: bool
    problem: str = ""  # why the signature (or the document) is not valid
    problem_code: str = ""
    issuer_id: str = ""
    issuer_name: str = ""
    issued_here: bool = False
    name: str = ""
    number: str = ""
    holder: str = ""  # an organisation's name; a person is identified by a hashed email only
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    expired: bool = False
    status: str = "unknown"  # active, suspended, revoked (from the lists), or unknown
    status_checked: list[str] = field(default_factory=list)  # the list URLs read
    credential: Credential | None = None

    @property
    def status_ok(self) -> bool:
        return self.status == "active"

    @property
    def valid(self) -> bool:
        return self.signature_valid and self.status_ok and not self.expired


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def document_from_upload(data: bytes) -> dict[str, Any]:
    """The credential in an uploaded file: a baked PNG (its iTXt chunk) or JSON, each within
    its size limit; BadgeUnreadable otherwise."""
    if data.startswith(PNG_SIGNATURE):
        if len(data) > settings.OPENBADGES_UPLOAD_PNG_MAX_BYTES:
            raise BadgeUnreadable(_("The image is larger than the limit of %(limit)s KB.")
                                  % {"limit": settings.OPENBADGES_UPLOAD_PNG_MAX_BYTES // 1024},
                                  code="too_large")
        try:
            text = png_unbake(data)
        except BakingError as error:
            raise BadgeUnreadable(error.message, code=error.code) from error
    else:
        if len(data) > settings.OPENBADGES_UPLOAD_JSON_MAX_BYTES:
            raise BadgeUnreadable(_("The file is larger than the limit of %(limit)s KB for a "
                                    "credential.")
                                  % {"limit": settings.OPENBADGES_UPLOAD_JSON_MAX_BYTES // 1024},
                                  code="too_large")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BadgeUnreadable(_("The file is neither a PNG badge nor JSON text."),
                                  code="not_json") from error
    return document_from_text(text)


def document_from_text(text: str) -> dict[str, Any]:
    if len(text.encode("utf-8")) > settings.OPENBADGES_UPLOAD_JSON_MAX_BYTES:
        raise BadgeUnreadable(_("The credential is larger than the limit of %(limit)s KB.")
                              % {"limit": settings.OPENBADGES_UPLOAD_JSON_MAX_BYTES // 1024},
                              code="too_large")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadgeUnreadable(_("The file is not valid JSON."), code="not_json") from error
    if not isinstance(document, dict):
        raise BadgeUnreadable(_("The JSON is not a credential (an object)."), code="not_json")
    if _depth(document, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise BadgeUnreadable(_("The JSON is nested too deeply to be a credential."),
                              code="too_deep")
    return document


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _status_from_lists(document: dict[str, Any], check: BadgeCheck) -> None:
    """The status from the lists exactly as /credentials/status/<purpose>/ serves them now."""
    entries = document.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    found: dict[str, bool] = {}
    index: int | None = None
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        purpose = entry.get("statusPurpose")
        if purpose not in PURPOSES or entry.get("statusListCredential") != status_list_url(
                str(purpose)):
            continue
        try:
            index = int(str(entry.get("statusListIndex")))
            listed = status_list_unsigned(str(purpose),
                                          selectors.status_list_indexes_set(str(purpose)),
                                          now=timezone.now())
            bits = decode_list(listed["credentialSubject"]["encodedList"])
            found[str(purpose)] = bit_is_set(bits, index)
        except (ValueError, BitstringError):
            continue
        check.status_checked.append(status_list_url(str(purpose)))
    if "revocation" not in found:
        check.status = "unknown"
    elif found["revocation"]:
        check.status = "revoked"
    elif found.get("suspension"):
        check.status = "suspended"
    else:
        check.status = "active"
    if index is not None:
        check.credential = selectors.credential_by_status_index(index)


def badge_check(document: dict[str, Any], *, now: dt.datetime | None = None) -> BadgeCheck:
    now = now or timezone.now()
    check = BadgeCheck(signature_valid=False)
    types = document.get("type")
    if (not isinstance(types, list) or "VerifiableCredential" not in types
            or "OpenBadgeCredential" not in types):
        check.problem = _("This is not an Open Badges 3.0 credential (its type is not "
                          "OpenBadgeCredential).")
        check.problem_code = "not_openbadge"
        return check
    if document.get("@context") != CREDENTIAL_CONTEXT:
        check.problem = _("The credential's contexts are not the VC 2.0 and Open Badges 3.0 "
                          "contexts this platform signs with.")
        check.problem_code = "unknown_context"
        return check
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
    check.issuer_id = str(issuer.get("id") or "")
    check.issuer_name = str(issuer.get("name") or "")
    check.issued_here = check.issuer_id == issuer_did()
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    check.name = str(document.get("name") or "")
    check.number = str(subject.get("licenseNumber") or "")
    identifiers = subject.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict) \
            and identifiers[0].get("hashed") is False:
        check.holder = str(identifiers[0].get("identityHash") or "")
    check.valid_from = _parse_time(document.get("validFrom"))
    check.valid_until = _parse_time(document.get("validUntil"))
    check.expired = check.valid_until is not None and check.valid_until < now
    if not check.issued_here:
        check.problem = _("The credential was not issued by this platform (issuer %(issuer)s), "
                          "so it cannot be checked here.") % {"issuer": check.issuer_id or "—"}
        check.problem_code = "foreign_issuer"
        return check
    try:
        proof = proof_of(document)
        key = issuer_key_for(proof["verificationMethod"])
        if key is None:
            raise ProofInvalid(_("The proof names a key this platform does not publish."),
                               code="unknown_key")
        proof_verify(document, public_key=key.public_key)
    except ProofInvalid as error:
        check.problem, check.problem_code = error.reason, error.code
        return check
    except UnknownContext:
        check.problem = _("The credential names a context that is not bundled here.")
        check.problem_code = "unknown_context"
        return check
    except (JsonLdError, ValueError, TypeError, KeyError):
        check.problem = _("The credential is not valid JSON-LD.")
        check.problem_code = "not_jsonld"
        return check
    check.signature_valid = True
    _status_from_lists(document, check)
    return check
