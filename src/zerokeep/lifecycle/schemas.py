"""Pydantic I/O of the lifecycle: recently deleted objects, receipts and legal holds."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class DeletionStatus(enum.StrEnum):
    PENDING = "pending"  # hidden, restorable until purge_after
    RESTORED = "restored"
    PURGED = "purged"


class DeletedObject(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    object: str = "deletion"
    id: str
    object_kind: str
    object_id: str
    status: DeletionStatus
    size_bytes: int
    deleted_at: datetime
    purge_after: datetime
    restored_at: datetime | None = None
    purged_at: datetime | None = None
    is_held: bool = False


class DeletedList(BaseModel):
    object: str = "list"
    data: list[DeletedObject]


class DeletionReceipt(BaseModel):
    """The signed receipt: verify it offline with `zerokeep receipt verify FILE`."""

    receipt: dict[str, Any]
    signature: dict[str, Any]


class LegalHoldView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    object: str = "legal_hold"
    id: str
    object_kind: str | None
    object_id: str | None
    reason: str
    placed_at: datetime
    lifted_at: datetime | None


class LegalHoldList(BaseModel):
    object: str = "list"
    data: list[LegalHoldView]
