"""archive_records: the payload archive, one encrypted record per archived stateless call.

One of the two doors through which content may reach persistence (DESIGN.md invariant 1);
rows expire at `expires_at` and are purged by `archive.purge`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
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
    sealed_payload: Mapped[bytes] = mapped_column(LargeBinary)
