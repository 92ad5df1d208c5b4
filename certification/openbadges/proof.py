"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C "Data Integrity EdDSA
Cryptosuites v1.0", §3.2): RDFC-1.0 canonical forms of the proof options (with the document's
`@context`) and of the document without its proof, each hashed with SHA-256; Ed25519 signs
proofConfigHash ‖ documentHash; `proofValue` is the signature in multibase base58btc."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext as _

from .jsonld import canonicalize
from .multibase import MultibaseError, base58btc_encode, multibase_z_decode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofInvalid(Exception):
    """The proof does not verify; `reason` says why (shown to the person who uploaded it) and
    `code` names the case for programs."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def timestamp(moment: dt.datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: 2026-03-01T08:00:00Z."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_data(document: dict[str, Any], proof_options: dict[str, Any], *,
              extra_contexts: dict[str, dict[str, Any]] | None = None) -> bytes:
    """proofConfigHash ‖ transformedDocumentHash (spec §3.2.4-3.2.5)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = unsecured.get("@context")
    config_hash = hashlib.sha256(
        canonicalize(config, extra_contexts=extra_contexts).encode("utf-8")).digest()
    document_hash = hashlib.sha256(
        canonicalize(unsecured, extra_contexts=extra_contexts).encode("utf-8")).digest()
    return config_hash + document_hash


def proof_add(document: dict[str, Any], *, private_key: Ed25519PrivateKey,
              verification_method: str, created: dt.datetime,
              extra_contexts: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A copy of `document` secured with a DataIntegrityProof (proofPurpose assertionMethod)."""
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(document, options, extra_contexts=extra_contexts))
    secured = copy.deepcopy({key: value for key, value in document.items() if key != "proof"})
    secured["proof"] = {**options, "proofValue": "z" + base58btc_encode(signature)}
    return secured


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one eddsa-rdfc-2022 proof, checked for shape; ProofInvalid otherwise."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofInvalid(_("The document carries no single proof."), code="no_proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofInvalid(_("The proof is not a DataIntegrityProof with the eddsa-rdfc-2022 "
                             "cryptosuite."), code="unsupported_proof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofInvalid(_("The proof's purpose is not assertionMethod."), code="proof_purpose")
    if not isinstance(proof.get("verificationMethod"), str):
        raise ProofInvalid(_("The proof names no verification method."), code="no_key")
    if "@context" in proof:
        raise ProofInvalid(_("The proof has a context of its own."), code="proof_context")
    return proof


def proof_verify(document: dict[str, Any], *, public_key: Ed25519PublicKey,
                 extra_contexts: dict[str, dict[str, Any]] | None = None) -> None:
    """Raises ProofInvalid unless the proof verifies with `public_key` (spec §3.2.2)."""
    proof = proof_of(document)
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofInvalid(_("The proof has no signature value."), code="no_signature")
    try:
        signature = multibase_z_decode(value)
    except MultibaseError as error:
        raise ProofInvalid(_("The signature value is not multibase base58btc."),
                           code="bad_signature") from error
    if len(signature) != 64:
        raise ProofInvalid(_("The signature value is not an Ed25519 signature."),
                           code="bad_signature")
    try:
        public_key.verify(signature, hash_data(document, proof, extra_contexts=extra_contexts))
    except InvalidSignature as error:
        raise ProofInvalid(_("The signature does not match the document: it was changed after "
                             "it was signed, or signed by another key."),
                           code="signature_mismatch") from error
