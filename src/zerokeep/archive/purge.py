"""Purge expired archive records for good, bytes included.

SQLite runs with secure_delete (freed pages are zeroed) and the WAL is checkpointed and
truncated after a purge, so no copy of a purged record lingers in the database files.
"""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.db import is_sqlite, unit_of_work
from zerokeep.kit.clock import Clock
from zerokeep.models import ArchiveRecord

JOB_NAME = "archive.purge"


async def purge_expired(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    organization_id: str | None = None,
) -> int:
    """Delete every record whose window has passed (only this organization's, if given: the
    retention audit purges its own control records); returns how many were purged."""
    stmt = delete(ArchiveRecord).where(ArchiveRecord.expires_at <= clock.now())
    if organization_id is not None:
        stmt = stmt.where(ArchiveRecord.organization_id == organization_id)
    async with unit_of_work(sessions) as session:
        result = await session.execute(stmt)
        purged = int(getattr(result, "rowcount", 0) or 0)
    if purged and is_sqlite(engine):
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return purged
