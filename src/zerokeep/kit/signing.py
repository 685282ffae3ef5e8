"""Ed25519 signatures over canonical JSON: what the retention audit's reports and the deletion
receipts share, so one pinned public key verifies both.

    document = signed("report", {"verdict": "PASS"}, seed)
    public_key_of(seed) == document["signature"]["public_key"]
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "Ed25519"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_key_of(seed: bytes) -> str:
    """The base64 raw public key for an Ed25519 seed: what a customer pins."""
    raw = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return base64.b64encode(raw.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def deployment_id(seed: bytes) -> str:
    """A stable, public id of this deployment: derived from its signing public key."""
    return "dep_" + hashlib.sha256(public_key_of(seed).encode()).hexdigest()[:20]


def signed(field: str, body: dict[str, Any], seed: bytes) -> dict[str, Any]:
    """`{field: body, "signature": {...}}`, the signature over the canonical JSON of `body`."""
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(canonical_json(body))
    return {
        field: body,
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": public_key_of(seed),
            "value": base64.b64encode(signature).decode(),
        },
    }
