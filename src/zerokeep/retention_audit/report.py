"""The audit report: a JSON document signed with the deployment's Ed25519 key.

The signature covers the canonical JSON of `report` (sorted keys, no whitespace, UTF-8); the
document carries the signature and the public key. A customer pins the public key that
`zerokeep audit public-key` prints, then checks any report with `zerokeep audit verify-report`.

    document = sign(body, keys.report_signing_seed)
    verify(document, pinned_public_key=None).is_valid        # True
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from zerokeep.kit.signing import ALGORITHM, canonical_json, signed

REPORT_FORMAT = "zerokeep.retention-audit/1"


def sign(body: dict[str, Any], seed: bytes) -> dict[str, Any]:
    return signed("report", body, seed)


@dataclass(frozen=True, slots=True)
class Verification:
    is_valid: bool
    message: str
    verdict: str | None = None


def verify(document: object, pinned_public_key: str | None = None) -> Verification:
    """Check the signature (and, if given, that it was made by the pinned key)."""
    if not isinstance(document, dict) or not isinstance(document.get("report"), dict):
        return Verification(False, "not a zerokeep retention audit report (no 'report' object)")
    signature = document.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return Verification(False, f"the report carries no {ALGORITHM} signature")
    public_key = str(signature.get("public_key", ""))
    if pinned_public_key is not None and public_key != pinned_public_key.strip():
        return Verification(False, "the report was signed by a different key than the pinned one")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(
            base64.b64decode(str(signature.get("value", "")), validate=True),
            canonical_json(document["report"]),
        )
    except (ValueError, binascii.Error, InvalidSignature):
        return Verification(
            False, "the signature does not match: the report was modified after signing"
        )
    verdict = document["report"].get("verdict")
    pinned = " by the pinned key" if pinned_public_key is not None else ""
    return Verification(True, f"signature valid{pinned}; verdict {verdict}", str(verdict))
