"""Every query on the email outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import EmailMessage

PENDING = "pending"


async def due(session: AsyncSession, now: datetime, limit: int) -> list[EmailMessage]:
    """Pending messages never tried, or whose retry time has come; locked on PostgreSQL so two
    workers never send the same message (SQLite serialises writers itself)."""
    stmt = (
        select(EmailMessage)
        .where(
            EmailMessage.status == PENDING,
            or_(EmailMessage.attempts == 0, EmailMessage.next_attempt_at <= now),
        )
        .order_by(EmailMessage.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def list_messages(
    session: AsyncSession, status: str | None = None, limit: int = 100
) -> list[EmailMessage]:
    stmt = select(EmailMessage).order_by(EmailMessage.created_at.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(EmailMessage.status == status)
    return list((await session.execute(stmt)).scalars())
