"""archive_records: the payload archive, encrypted inputs and outputs of stateless calls.

One of the two doors through which content may reach persistence (DESIGN.md invariant 1).
A row seals the calls one organization made on one route and model within one write batch
(`record_count` of them, half a second's worth at most): one insert and one seal per batch keep
the archive off the request path's budget. `created_at` is the batch's first call, so
`expires_at` never keeps any call past its window; `archive.purge` removes rows then.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class ArchiveRecord(Base):
    __tablename__ = "archive_records"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40), index=True)
    encryption_key_id: Mapped[str] = mapped_column(ForeignKey("encryption_keys.id"))
    route: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    record_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sealed_payload: Mapped[bytes] = mapped_column(LargeBinary)
