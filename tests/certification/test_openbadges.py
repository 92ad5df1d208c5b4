"""Open Badges 3.0: every credential as a signed OpenBadgeCredential that an independent
verifier from PyPI (openbadgeslib) accepts, one live status shared by the verification page,
the registry, the PDF's link and the status-list bits, and key rotation."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

import pytest
from django.urls import reverse
from openbadgeslib.ob3.credential import IdentityObject
from openbadgeslib.ob3.ldp import verify_data_integrity_proof
from openbadgeslib.ob3.verifier import OB3VerificationError

from certification import selectors, services
from certification.models import Credential, CredentialType, IssuerSigningKey
from certification.openbadges import documents
from certification.openbadges.bitstring import LIST_BITS, bit_is_set, decode_list
from certification.openbadges.keys import issuer_did, issuer_keys
from certification.openbadges.verify import badge_check
from certification.pdf import certificate_html
from certification.views_openbadges import openbadge_document
from tests.certification.openbadge_helpers import client_download, independent_verify

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def holder(time_machine: Any, coordinator_factory: Any) -> Any:
    time_machine.move_to(NOW, tick=False)
    return coordinator_factory(email="li.si@example.com", name_zh="李四", name_en="Li Si")


def _credential(user: Any) -> Credential:
    return Credential.objects.select_related("credential_type", "holder").get(holder=user)


def _pem(client: Any, verification_method: str) -> bytes:
    """The key the DID document publishes for `verification_method`, as PEM."""
    from openbadgeslib.ob3.did import resolve_verification_method

    return resolve_verification_method(verification_method, download=client_download(client))


def _served_list(client: Any, purpose: str) -> dict[str, Any]:
    response = client.get(reverse("certification:status_list", kwargs={"purpose": purpose}))
    assert response.status_code == 200
    return json.loads(response.content)


def _bit(client: Any, purpose: str, credential: Credential) -> bool:
    listed = _served_list(client, purpose)
    assert credential.status_list_index is not None
    return bit_is_set(decode_list(listed["credentialSubject"]["encodedList"]),
                      credential.status_list_index)


def test_a_holders_credential_is_an_open_badge_with_no_email_in_clear(client: Any,
                                                                     holder: Any) -> None:
    credential = _credential(holder)
    client.force_login(holder)
    response = client.get(reverse("certification:openbadge_json", args=[credential.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert "attachment" in response["Content-Disposition"]
    assert "li.si@example.com" not in response.content.decode()
    document = json.loads(response.content)

    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == "did:web:127.0.0.1%3A8000" == issuer_did()
    assert document["issuer"]["type"] == ["Profile"]
    assert document["id"] == credential.verification_url()
    assert document["validFrom"] == "2026-03-09T16:00:00Z"  # 10 March, Beijing time
    assert credential.expires_on == dt.date(2029, 3, 9)
    assert document["validUntil"] == "2029-03-09T15:59:59Z"  # through 9 March, Beijing time
    subject = document["credentialSubject"]
    assert subject["licenseNumber"] == credential.number
    achievement = subject["achievement"]
    assert achievement["name"] == "注册协调员"
    assert achievement["achievementType"] == "Certification"
    assert achievement["criteria"]["id"] == "http://127.0.0.1:8000/standard/"
    assert "YD/T 2823-2015" in achievement["criteria"]["narrative"]
    identity = subject["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert identity["salt"] == credential.identity_salt and len(credential.identity_salt) == 32
    # The independent library computes the same salted hash of the holder's address.
    assert identity["identityHash"] == IdentityObject.create(
        "li.si@example.com", credential.identity_salt).identity_hash
    revocation, suspension = document["credentialStatus"]
    assert (revocation["statusPurpose"], suspension["statusPurpose"]) == ("revocation",
                                                                        "suspension")
    for entry in (revocation, suspension):
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusListIndex"] == str(credential.status_list_index)
    assert revocation["statusListCredential"].endswith("/credentials/status/revocation/")
    proof = document["proof"]
    assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", "eddsa-rdfc-2022")
    assert proof["proofValue"].startswith("z")

    # The index was allocated once, at issue: a second download keeps it.
    again = json.loads(client.get(reverse("certification:openbadge_json",
                                          args=[credential.pk])).content)
    assert again["credentialStatus"][0]["statusListIndex"] == revocation["statusListIndex"]


def test_the_independent_verifier_accepts_our_credentials_and_status_lists(
        client: Any, holder: Any) -> None:
    credential = _credential(holder)
    document = openbadge_document(credential)
    verified = independent_verify(client, document)
    assert verified.issuer.id == issuer_did()
    assert verified.achievement.name == "注册协调员"
    assert verified.identifiers[0].identity_hash == IdentityObject.create(
        "li.si@example.com", credential.identity_salt).identity_hash

    # Each status list is a signed credential of its own, which the same library verifies.
    for purpose in ("revocation", "suspension"):
        listed = _served_list(client, purpose)
        verify_data_integrity_proof(listed, _pem(client, listed["proof"]["verificationMethod"]))


def test_tampering_with_any_field_fails_both_verifiers(client: Any, holder: Any) -> None:
    document = openbadge_document(_credential(holder))
    assert badge_check(document).valid
    changes = {
        "name": lambda d: d.__setitem__("name", "注册评审员 CCSO-R-2026-000001"),
        "validUntil": lambda d: d.__setitem__("validUntil", "2039-03-10T15:59:59Z"),
        "issuer name": lambda d: d["issuer"].__setitem__("name", "Someone else"),
        "achievement": lambda d: d["credentialSubject"]["achievement"].__setitem__(
            "name", "注册评审员"),
        "number": lambda d: d["credentialSubject"].__setitem__("licenseNumber", "CCSO-C-1"),
        "holder": lambda d: d["credentialSubject"]["identifier"][0].__setitem__(
            "identityHash", "sha256$" + "0" * 64),
        "status index": lambda d: [e.__setitem__("statusListIndex", "7")
                                   for e in d["credentialStatus"]],
        "proof date": lambda d: d["proof"].__setitem__("created", "2020-01-01T00:00:00Z"),
    }
    for label, change in changes.items():
        tampered = copy.deepcopy(document)
        change(tampered)
        check = badge_check(tampered)
        assert not check.signature_valid, label
        assert check.problem_code == "signature_mismatch", label
        with pytest.raises(OB3VerificationError):
            independent_verify(client, tampered)


def test_each_status_change_moves_page_registry_pdf_link_and_bits_together(
        client: Any, holder: Any, cert_admin: Any, time_machine: Any) -> None:
    credential = _credential(holder)
    services.credential_registry_listing_set(credential=credential, holder=holder, listed=True)
    document = openbadge_document(credential)
    # The PDF's QR code and printed link open this page.
    pdf_link = re.search(r"https?://[^\s\"<]+/credentials/verify/[^\s\"<]+/",
                         certificate_html(credential)).group(0)
    assert pdf_link == credential.verification_url()
    link_path = pdf_link.replace("http://127.0.0.1:8000", "")

    def state() -> dict[str, Any]:
        page = client.get(link_path).content.decode()
        shown = re.search(r'data-testid="credential-status" data-status="(\w+)"', page).group(1)
        return {
            "page": shown,
            "registry": selectors.registry_search(query=credential.number).exists(),
            "revocation bit": _bit(client, "revocation", credential),
            "suspension bit": _bit(client, "suspension", credential),
            "uploaded": badge_check(document).status,
        }

    assert state() == {"page": "active", "registry": True, "revocation bit": False,
                       "suspension bit": False, "uploaded": "active"}
    independent_verify(client, document)

    services.credential_suspend(credential=credential, actor=cert_admin, reason="调查中")
    assert state() == {"page": "suspended", "registry": False, "revocation bit": False,
                       "suspension bit": True, "uploaded": "suspended"}
    with pytest.raises(OB3VerificationError, match="suspension"):
        independent_verify(client, document)

    services.credential_reinstate(credential=credential, actor=cert_admin, reason="已澄清")
    assert state() == {"page": "active", "registry": True, "revocation bit": False,
                       "suspension bit": False, "uploaded": "active"}
    independent_verify(client, document)

    # Expiry is the badge's validUntil, not a bit: both lists stay clear.
    time_machine.move_to(dt.datetime(2029, 3, 11, 2, 0, tzinfo=dt.UTC), tick=False)
    assert state() == {"page": "expired", "registry": False, "revocation bit": False,
                       "suspension bit": False, "uploaded": "active"}
    assert badge_check(document).expired and not badge_check(document).valid
    with pytest.raises(OB3VerificationError):
        independent_verify(client, document, check_status=False)
    time_machine.move_to(NOW, tick=False)

    services.credential_revoke(credential=credential, actor=cert_admin, reason="证书造假")
    assert state() == {"page": "revoked", "registry": False, "revocation bit": True,
                       "suspension bit": False, "uploaded": "revoked"}
    # A revoked credential fails the independent verifier's status check.
    with pytest.raises(OB3VerificationError, match="revocation"):
        independent_verify(client, document)


def test_status_lists_are_16kb_signed_and_cached_briefly(client: Any, holder: Any) -> None:
    response = client.get("/credentials/status/revocation/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    listed = json.loads(response.content)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == issuer_did()
    subject = listed["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    assert len(decode_list(subject["encodedList"])) * 8 == LIST_BITS == 131_072
    assert badge_check(listed).problem_code == "not_openbadge"
    assert client.get("/credentials/status/other/").status_code == 404


def test_rotation_keeps_earlier_badges_verifiable(client: Any, holder: Any,
                                                  time_machine: Any) -> None:
    credential = _credential(holder)
    before = openbadge_document(credential)
    old_method = before["proof"]["verificationMethod"]

    time_machine.move_to(NOW + dt.timedelta(days=30), tick=False)
    services.issuer_key_rotate()
    after = openbadge_document(credential)
    new_method = after["proof"]["verificationMethod"]
    assert new_method != old_method

    did = json.loads(client.get("/.well-known/did.json").content)
    assert did["id"] == issuer_did()
    assert [m["id"] for m in did["verificationMethod"]] == [old_method, new_method]
    assert did["assertionMethod"] == [old_method, new_method]
    assert all(m["type"] == "Multikey" and m["publicKeyMultibase"].startswith("z6Mk")
               for m in did["verificationMethod"])
    # The old key kept only its public half; it signs nothing any more.
    assert IssuerSigningKey.objects.get(current=False).private_key_multibase == ""
    assert [k.private_key is not None for k in issuer_keys()] == [False, True]

    for document in (before, after):
        assert badge_check(document).valid
        independent_verify(client, document)


def test_keys_from_the_environment_sign_and_rotate(client: Any, holder: Any,
                                                   settings: Any) -> None:
    from certification.openbadges.keygen import key_new

    old_private, old_public = key_new()
    new_private, _new_public = key_new()
    settings.OPENBADGES_SIGNING_KEYS = f"2026a={old_private}"
    settings.OPENBADGES_SIGNING_KEY_CURRENT = ""
    credential = _credential(holder)
    before = openbadge_document(credential)
    assert before["proof"]["verificationMethod"] == f"{issuer_did()}#2026a"

    # Rotation in production: the new key is added and named current; the old one stays
    # (here only its public key, as an operator who destroyed the private half would leave it).
    settings.OPENBADGES_SIGNING_KEYS = f"2026a={old_public},2026b={new_private}"
    settings.OPENBADGES_SIGNING_KEY_CURRENT = "2026b"
    after = openbadge_document(credential)
    assert after["proof"]["verificationMethod"] == f"{issuer_did()}#2026b"
    assert not IssuerSigningKey.objects.exists()  # nothing generated when keys are configured
    for document in (before, after):
        assert badge_check(document).valid
        independent_verify(client, document)

    # A key the DID document no longer publishes fails, saying so.
    settings.OPENBADGES_SIGNING_KEYS = f"2026b={new_private}"
    assert badge_check(before).problem_code == "unknown_key"


def test_production_without_keys_refuses_to_sign_and_the_deploy_check_says_so(
        settings: Any, db: None) -> None:
    from certification.checks import openbadges_signing_keys_configured
    from certification.openbadges.keygen import KeySpecError, keys_parse
    from certification.openbadges.keys import SigningKeysMissing, issuer_key_current

    settings.OPENBADGES_SIGNING_KEYS = ""
    settings.OPENBADGES_GENERATE_KEYS = False
    with pytest.raises(SigningKeysMissing):
        issuer_key_current()
    assert [m.id for m in openbadges_signing_keys_configured()] == ["certification.W001"]
    for wrong in ("nokey", "a=zNotAKey", "a=z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"):
        with pytest.raises(KeySpecError):
            keys_parse(wrong)


def test_an_organisation_certificate_names_the_organisation(client: Any, time_machine: Any,
                                                          organisation_factory: Any,
                                                          cert_admin: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    organisation = organisation_factory(name="北京示范呼叫中心", name_en="Beijing Demo Centre")
    credential, _created = services.credential_issue(
        credential_type=services.credential_type_get(CredentialType.CERTIFIED_CENTRE),
        source_key="reviews.project:1", organisation=organisation, scope="北京总部",
        standard_title="YD/T 2823-2015")
    document = openbadge_document(credential)
    identity = document["credentialSubject"]["identifier"][0]
    assert identity == {"type": "IdentityObject", "hashed": False,
                        "identityHash": "北京示范呼叫中心", "identityType": "name"}
    assert "北京总部" in document["description"]
    independent_verify(client, document)
    assert badge_check(document).holder == "北京示范呼叫中心"
    # Staff (and the organisation's people, through credential_for_viewer) get the badge page.
    client.force_login(cert_admin)
    page = client.get(reverse("certification:badge", args=[credential.pk]))
    assert page.status_code == 200 and "linkedin.com/profile/add" in page.content.decode()


def test_the_badge_page_and_downloads_are_for_the_holder_only(client: Any, holder: Any,
                                                             user_factory: Any) -> None:
    credential = _credential(holder)
    urls = [reverse(name, args=[credential.pk]) for name in
            ("certification:openbadge_json", "certification:badge_png", "certification:badge")]
    client.force_login(user_factory())
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(holder)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_the_holder_sees_the_linkedin_button(client: Any, holder: Any) -> None:
    from urllib.parse import parse_qs, urlsplit

    credential = _credential(holder)
    client.force_login(holder)
    page = client.get("/credentials/").content.decode()
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"[^>]*'
                     r'data-testid="linkedin-add"', page).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["certId"] == [credential.number]
    assert query["certUrl"] == [credential.verification_url()]
    assert query["organizationName"] == ["CCSO 呼叫中心标准认证中心"]
    assert (query["issueYear"], query["issueMonth"]) == (["2026"], ["3"])
    assert query["expirationYear"] == ["2029"]


def test_the_api_lists_the_openbadge_url(client: Any, holder: Any) -> None:
    credential = _credential(holder)
    client.force_login(holder)
    listed = client.get("/api/v1/certification/mine").json()
    assert listed[0]["openbadge_url"] == (
        f"/api/v1/certification/mine/{credential.pk}/openbadge.json")
    response = client.get(listed[0]["openbadge_url"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    independent_verify(client, json.loads(response.content))
    png = client.get(listed[0]["badge_png_url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_documents_module_builds_lists_from_the_credentials(holder: Any) -> None:
    credential = _credential(holder)
    assert selectors.status_list_indexes_set("revocation") == []
    credential.status = "revoked"
    credential.save(update_fields=["status"])
    assert selectors.status_list_indexes_set("revocation") == [credential.status_list_index]
    unsigned = documents.status_list_unsigned("revocation", [credential.status_list_index],
                                              now=NOW)
    assert bit_is_set(decode_list(unsigned["credentialSubject"]["encodedList"]),
                      credential.status_list_index)


def test_production_settings_refuse_malformed_keys_and_accept_good_ones() -> None:
    from certification.openbadges.keygen import key_new
    from tests.core.test_settings_from_env import _production_settings_load

    refused = _production_settings_load(CCSO_OB_SIGNING_KEYS="2026=notakey")
    assert refused.returncode != 0 and "CCSO_OB_SIGNING_KEYS" in refused.stderr
    private, _public = key_new()
    loaded = _production_settings_load(CCSO_OB_SIGNING_KEYS=f"2026={private}",
                                       CCSO_OB_SIGNING_KEY_CURRENT="2026")
    assert loaded.returncode == 0, loaded.stderr
