"""The JSON-LD documents the platform serves: each credential as a signed OpenBadgeCredential,
the two signed BitstringStatusListCredentials (revocation, suspension) derived from the
credentials' status when asked, and the issuer's DID document with every published key."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import Credential, CredentialType
from .bitstring import encode_list
from .jsonld import DID_V1, MULTIKEY_V1, OB_V3, VC_V2
from .keys import issuer_did, issuer_key_current, issuer_keys, site_url
from .proof import proof_add, timestamp

PURPOSES = ("revocation", "suspension")
CREDENTIAL_CONTEXT = [VC_V2, OB_V3]
# How long a served status list is valid (and how long caches may keep it: a shorter time).
STATUS_LIST_VALIDITY = dt.timedelta(hours=1)

CRITERIA = {
    CredentialType.COORDINATOR: (
        "通过 CCSO 注册协调员考试（YD/T 2823-2015《呼叫中心服务质量和运营管理规范》），"
        "成绩达到及格线。 Passed the CCSO registered coordinator examination on YD/T 2823-2015 "
        "at or above the pass mark."),
    CredentialType.REVIEWER: (
        "持有有效的注册协调员证书，经工作经历与考试成绩排序后由认证中心遴选为注册评审员。 "
        "Holds an active registered coordinator credential and was selected as a reviewer by "
        "the certification centre on exam score and work history."),
    CredentialType.CERTIFIED_CENTRE: (
        "呼叫中心经随机抽取的第三方评审员逐条评审，各模块符合率均达到标准规定的通过率，"
        "并经专家委员会决定通过认证。 The contact centre was reviewed item by item by randomly "
        "drawn third-party reviewers, every module reached its pass rate, and the expert "
        "committee decided to certify it."),
}


def status_list_url(purpose: str) -> str:
    return site_url(reverse("certification:status_list", kwargs={"purpose": purpose}))


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def credential_valid_from(credential: Credential) -> dt.datetime:
    return _local_midnight_utc(credential.issued_on)


def credential_valid_until(credential: Credential) -> dt.datetime:
    """The end of the expiry day in the platform's time zone (valid through that day)."""
    return (_local_midnight_utc(credential.expires_on + dt.timedelta(days=1))
            - dt.timedelta(seconds=1))


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject.identityHash: `sha256$` + hex SHA-256 of the email then the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def issuer_profile() -> dict[str, Any]:
    return {
        "id": issuer_did(),
        "type": ["Profile"],
        "name": settings.CERTIFICATION_ISSUING_BODY,
        "url": settings.SITE_URL.rstrip("/") + "/",
        "description": settings.CERTIFICATION_ISSUING_BODY_EN,
    }


def achievement(credential: Credential) -> dict[str, Any]:
    kind = credential.credential_type
    names = " · ".join(name for name in (kind.name, kind.name_en) if name)
    return {
        "id": site_url(reverse("certification:achievement", kwargs={"slug": kind.slug})),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": kind.name,
        "description": names,
        "criteria": {"id": site_url("/standard/"),
                     "narrative": CRITERIA.get(kind.slug, names)},
    }


def _subject_identifier(credential: Credential) -> dict[str, Any]:
    if credential.organisation is not None:
        # An organisation's certificate names it: its name is public on the verification page.
        return {"type": "IdentityObject", "hashed": False,
                "identityHash": credential.organisation.name, "identityType": "name"}
    assert credential.holder is not None
    return {"type": "IdentityObject", "hashed": True,
            "identityHash": identity_hash(credential.holder.email, credential.identity_salt),
            "identityType": "emailAddress", "salt": credential.identity_salt}


def status_entries(index: int) -> list[dict[str, Any]]:
    return [
        {"id": f"{status_list_url(purpose)}#{index}", "type": "BitstringStatusListEntry",
         "statusPurpose": purpose, "statusListIndex": str(index),
         "statusListCredential": status_list_url(purpose)}
        for purpose in PURPOSES
    ]


def openbadge_unsigned(credential: Credential) -> dict[str, Any]:
    """The credential as an OpenBadgeCredential, before its proof. `credential` must have its
    status index and salt (`services.credential_openbadge_prepare`)."""
    assert credential.status_list_index is not None and credential.identity_salt
    kind = credential.credential_type
    document: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential.verification_url(),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{kind.name} {credential.number}",
        "issuer": issuer_profile(),
        "validFrom": timestamp(credential_valid_from(credential)),
        "validUntil": timestamp(credential_valid_until(credential)),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_subject_identifier(credential)],
            "licenseNumber": credential.number,
            "achievement": achievement(credential),
        },
        "credentialStatus": status_entries(credential.status_list_index),
    }
    if credential.organisation is not None:
        document["description"] = "；".join(
            part for part in (credential.organisation.name, credential.standard_title,
                              credential.scope) if part)
    return document


def openbadge_signed(credential: Credential, *, now: dt.datetime | None = None) -> dict[str, Any]:
    key = issuer_key_current()
    assert key.private_key is not None
    return proof_add(openbadge_unsigned(credential), private_key=key.private_key,
                     verification_method=key.verification_method,
                     created=now or timezone.now())


def status_list_unsigned(purpose: str, set_indexes: list[int], *,
                         now: dt.datetime) -> dict[str, Any]:
    url = status_list_url(purpose)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": timestamp(now),
        "validUntil": timestamp(now + STATUS_LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(set_indexes),
        },
    }


def status_list_signed(purpose: str, set_indexes: list[int], *,
                       now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    key = issuer_key_current()
    assert key.private_key is not None
    return proof_add(status_list_unsigned(purpose, set_indexes, now=now),
                     private_key=key.private_key, verification_method=key.verification_method,
                     created=now)


def did_document() -> dict[str, Any]:
    did = issuer_did()
    keys = issuer_keys()
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {"id": key.verification_method, "type": "Multikey", "controller": did,
             "publicKeyMultibase": key.public_key_multibase}
            for key in keys
        ],
        "assertionMethod": [key.verification_method for key in keys],
    }
