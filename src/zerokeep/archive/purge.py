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
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> int:
    """Delete every record whose window has passed; returns how many were purged."""
    async with unit_of_work(sessions) as session:
        result = await session.execute(
            delete(ArchiveRecord).where(ArchiveRecord.expires_at <= clock.now())
        )
        purged = int(getattr(result, "rowcount", 0) or 0)
    if purged and is_sqlite(engine):
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return purged
