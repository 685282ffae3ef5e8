"""organizations: a tenant, its plan and its privacy state (DESIGN.md section 1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    plan: Mapped[str] = mapped_column(String(16), default="free")
    zdr_state: Mapped[str] = mapped_column(String(16), default="off")
    zdr_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    training_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    abuse_window_days: Mapped[int] = mapped_column(Integer, default=30)
    stateful_policy: Mapped[str] = mapped_column(String(16), default="allow")
    requires_upstream_zdr: Mapped[bool] = mapped_column(Boolean, default=False)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Tokens the organization may spend per calendar month (UTC); None: no budget.
    monthly_token_budget: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deletion_grace_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
