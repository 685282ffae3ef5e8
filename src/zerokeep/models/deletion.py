"""deletions: the lifecycle's record of one deleted object (DESIGN.md invariant 5).

A row is written when an object is deleted (hidden at once) and lives on after the purge as
the receipt: kind, ids, sizes and times, never content. `status` is pending (in the grace
period), restored, or purged; a pending row past `purge_after` is purged unless a hold blocks it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class Deletion(Base):
    __tablename__ = "deletions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # None for a user account's own deletion (a user is not one organization's).
    organization_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    object_kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(40), index=True)
    # The deletion of a parent (an organization, a user) that this one is part of, if any.
    parent_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted_by: Mapped[str] = mapped_column(String(80))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The signed deletion receipt (metadata only), set by the purge.
    receipt: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
