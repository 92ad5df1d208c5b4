"""Open Badges 3.0 / W3C Verifiable Credentials: every credential as a signed JSON-LD
`OpenBadgeCredential` (Data Integrity proof, cryptosuite eddsa-rdfc-2022), its status in two
Bitstring Status Lists derived from `Credential.status`, the issuer's `did:web` document, baked
PNG badges and the verifier behind the verification page's upload (docs/certification.md)."""
