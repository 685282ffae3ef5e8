"""encryption_keys: data keys (one per object or archive day), wrapped by the organization key.

Destroying a row (crypto-shredding) makes every copy of what it encrypted unreadable. Rows made
before the key hierarchy have no organization_key_id: they are wrapped by the deployment's
legacy key-wrapping key until `zerokeep keys rotate-master` re-wraps them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class EncryptionKey(Base):
    __tablename__ = "encryption_keys"
    # Two processes asking for the same purpose's key at once must end up with one key.
    __table_args__ = (UniqueConstraint("organization_id", "purpose"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40), index=True)
    purpose: Mapped[str] = mapped_column(String(128))
    organization_key_id: Mapped[str | None] = mapped_column(String(40), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
