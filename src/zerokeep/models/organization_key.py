"""organization_keys: one key per organization, wrapped by the deployment's master key.

It wraps the organization's data keys; destroying it (organization deletion) makes every copy of
the organization's data keys, and so of its content, unreadable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class OrganizationKey(Base):
    __tablename__ = "organization_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Which master key wraps it (a fingerprint, never the key): rotation re-wraps row by row.
    master_key_id: Mapped[str] = mapped_column(String(32))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
