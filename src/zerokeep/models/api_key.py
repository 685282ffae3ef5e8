"""api_keys: an HMAC-SHA256 of each key plus a display prefix; the plaintext is never stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(100))
    display_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Per-key controls; None: no limit beyond the organization's (every model, its rates).
    allowed_models: Mapped[list[str] | None] = mapped_column(JSON(), nullable=True)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    monthly_token_budget: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
