"""The kinds of stateful object the lifecycle knows, and what hide/restore/purge mean for each.

A product adds its kind here and its handler in `handlers.py` (batch jobs, conversations, ...):
three small functions, and the lifecycle does the rest (grace period, holds, receipts, audit)
the same way for all of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.kit.clock import Clock
from zerokeep.lifecycle.storage import FileStorage


class ObjectKind(enum.StrEnum):
    FILE = "file"
    BATCH_JOB = "batch_job"
    ORGANIZATION = "organization"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Purger:
    """What a purge needs from the running deployment."""

    storage: FileStorage
    clock: Clock
    signing_seed: bytes


@dataclass(frozen=True, slots=True)
class Purged:
    """Metadata of what a purge removed: it goes into the receipt and the audit event."""

    size_bytes: int = 0
    keys_destroyed: int = 0
    rows_deleted: int = 0


class KindHandler(Protocol):
    async def hide(
        self, session: AsyncSession, organization_id: str | None, object_id: str, now: datetime
    ) -> int:
        """Hide the object at once; return its size in bytes (0 when not meaningful)."""

    async def restore(
        self, session: AsyncSession, organization_id: str | None, object_id: str
    ) -> None: ...

    async def purge(
        self, session: AsyncSession, purger: Purger, organization_id: str | None, object_id: str
    ) -> Purged:
        """Remove rows, blobs and keys for good. Idempotent: a second call finds nothing."""
