"""Signed deletion receipts: what was purged (ids, sizes, times; never content), signed with
the deployment's Ed25519 key (the retention audit's), so an organization can verify it offline
against the public key that `zerokeep audit public-key` prints.

    document = sign_receipt(body, keys.report_signing_seed)
    verify_receipt(document, pinned_public_key).is_valid
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from zerokeep.kit.signing import ALGORITHM, canonical_json, signed

RECEIPT_FORMAT = "zerokeep.deletion-receipt/1"


def sign_receipt(body: dict[str, Any], seed: bytes) -> dict[str, Any]:
    return signed("receipt", body, seed)


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    is_valid: bool
    message: str


def verify_receipt(document: object, pinned_public_key: str | None = None) -> ReceiptCheck:
    """Check the signature, and that the pinned key made it when one is given."""
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        return ReceiptCheck(False, "not a zerokeep deletion receipt (no 'receipt' object)")
    body = document["receipt"]
    if body.get("format") != RECEIPT_FORMAT:
        return ReceiptCheck(False, f"unknown receipt format (expected {RECEIPT_FORMAT})")
    signature = document.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return ReceiptCheck(False, f"the receipt carries no {ALGORITHM} signature")
    public_key = str(signature.get("public_key", ""))
    if pinned_public_key is not None and public_key != pinned_public_key.strip():
        return ReceiptCheck(False, "the receipt was signed by a different key than the pinned one")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(
            base64.b64decode(str(signature.get("value", "")), validate=True), canonical_json(body)
        )
    except (ValueError, binascii.Error, InvalidSignature):
        return ReceiptCheck(False, "the signature does not match: the receipt was modified")
    pinned = " by the pinned key" if pinned_public_key is not None else ""
    return ReceiptCheck(
        True,
        f"signature valid{pinned}: {body.get('object_kind')} {body.get('object_id')} "
        f"purged at {body.get('purged_at')}",
    )
