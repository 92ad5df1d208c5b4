"""The eddsa-rdfc-2022 proof against the W3C specification's own test vector, and the loader
that never fetches a context."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from certification.openbadges import jsonld
from certification.openbadges.multibase import (
    private_key_from_multibase,
    public_key_from_multibase,
)
from certification.openbadges.proof import ProofInvalid, hash_data, proof_add, proof_verify

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2": {
    "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}


def _vector(name: str) -> str:
    return (VECTORS / name).read_text("utf-8")


def _keys() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    pair = json.loads(_vector("keyPair.json"))
    private = Ed25519PrivateKey.from_private_bytes(
        private_key_from_multibase(pair["privateKeyMultibase"]))
    public = Ed25519PublicKey.from_public_bytes(
        public_key_from_multibase(pair["publicKeyMultibase"]))
    return private, public


def test_spec_vector_reproduced_step_by_step() -> None:
    signed = json.loads(_vector("signedDataInt.json"))
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    proof_config = json.loads(_vector("proofConfigDataInt.json"))

    assert jsonld.canonicalize(unsigned, extra_contexts=EXAMPLES) == _vector("canonDocDataInt.txt")
    assert jsonld.canonicalize(proof_config, extra_contexts=EXAMPLES) == _vector(
        "proofCanonDataInt.txt")
    combined = hash_data(unsigned, signed["proof"], extra_contexts=EXAMPLES)
    assert combined.hex() == _vector("combinedHashDataInt.txt").strip()

    private, public = _keys()
    assert private.public_key().public_bytes_raw() == public.public_bytes_raw()
    ours = proof_add(unsigned, private_key=private,
                     verification_method=signed["proof"]["verificationMethod"],
                     created=dt.datetime.fromisoformat(signed["proof"]["created"]), extra_contexts=EXAMPLES)
    # Ed25519 is deterministic: the same document, options and key give the spec's signature.
    assert ours["proof"]["proofValue"] == _vector("sigBTC58DataInt.txt").strip()
    assert ours == signed


def test_spec_vector_verifies_and_any_change_fails() -> None:
    signed = json.loads(_vector("signedDataInt.json"))
    _, public = _keys()
    proof_verify(signed, public_key=public, extra_contexts=EXAMPLES)

    changed = json.loads(_vector("signedDataInt.json"))
    changed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(ProofInvalid) as refused:
        proof_verify(changed, public_key=public, extra_contexts=EXAMPLES)
    assert refused.value.code == "signature_mismatch"

    changed_proof = json.loads(_vector("signedDataInt.json"))
    changed_proof["proof"]["created"] = "2024-02-24T23:36:38Z"
    with pytest.raises(ProofInvalid):
        proof_verify(changed_proof, public_key=public, extra_contexts=EXAMPLES)


def test_an_unknown_context_is_refused_not_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    # The examples context is public, but not bundled: refused, never fetched.
    signed = json.loads(_vector("signedDataInt.json"))
    with pytest.raises(jsonld.UnknownContext) as refused:
        jsonld.canonicalize({k: v for k, v in signed.items() if k != "proof"})
    assert refused.value.url == "https://www.w3.org/ns/credentials/examples/v2"


def test_bundled_contexts_are_the_published_documents() -> None:
    digests = {
        "credentials-v2.jsonld":
            "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
        "ob-v3p0-context-3.0.3.jsonld":
            "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
        "multikey-v1.jsonld":
            "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    }
    for name, digest in digests.items():
        assert hashlib.sha256((jsonld.CONTEXTS_DIR / name).read_bytes()).hexdigest() == digest
