"""Canaries: unique strings sent through the gateway, and scanners that look for them
in every encoding a sink could use (plain, JSON-escaped, base64 at any alignment, UTF-16)."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path


def new_canary() -> str:
    return f"CANARY{uuid.uuid4().hex.upper()}"


def canary_forms(canary: str) -> dict[str, bytes]:
    """Byte patterns that reveal the canary, by encoding name."""
    raw = canary.encode()
    forms = {
        "plain": raw,
        "utf-16-le": canary.encode("utf-16-le"),
        "utf-16-be": canary.encode("utf-16-be"),
    }
    for shift in range(3):
        encoded = base64.b64encode(b"\x00" * shift + raw)
        # Drop the characters that depend on neighbouring bytes, keep the stable middle.
        start = 4 if shift else 0
        forms[f"base64+{shift}"] = encoded[start : len(encoded) - 4]
    return forms


def find_canary(data: bytes, canary: str) -> list[str]:
    """Names of the encodings under which `canary` appears in `data`."""
    return [name for name, pattern in canary_forms(canary).items() if pattern in data]


def scan_tree(root: Path, canary: str) -> dict[str, list[str]]:
    """Every file under root (database, WAL, journal, logs, keys...) that holds the canary."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hits = find_canary(path.read_bytes(), canary)
            if hits:
                found[str(path.relative_to(root))] = hits
    return found
