"""Public identifiers: a short type prefix and a random, URL-safe body (`org_...`, `key_...`)."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
