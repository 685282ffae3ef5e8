"""Purge expired archive records for good, bytes included, and destroy the keys they used.

SQLite runs with secure_delete (freed pages are zeroed) and the WAL is checkpointed and
truncated after a purge, so no copy lingers in the database files. PostgreSQL is vacuumed after
a purge; copies it may still hold (WAL segments, backups) are unreadable once the day's archive
key is destroyed, which happens as soon as no record of that day remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.archive.keyring import ARCHIVE_PURPOSE, archive_purpose
from zerokeep.db import is_sqlite, unit_of_work
from zerokeep.keys import KeyService
from zerokeep.kit.clock import Clock
from zerokeep.models import ArchiveRecord, EncryptionKey

JOB_NAME = "archive.purge"


@dataclass(frozen=True, slots=True)
class PurgeResult:
    records_purged: int
    keys_destroyed: int


async def purge_expired(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    organization_id: str | None = None,
    keys: KeyService | None = None,
) -> int:
    """Delete every record whose window has passed (only this organization's, if given: the
    retention audit purges its own control records) and destroy the archive keys of past days
    that no record uses any more; returns how many records were purged."""
    return (await purge(engine, sessions, clock, organization_id, keys)).records_purged


async def purge(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    organization_id: str | None = None,
    keys: KeyService | None = None,
) -> PurgeResult:
    now = clock.now()
    records = delete(ArchiveRecord).where(ArchiveRecord.expires_at <= now)
    unused_keys = select(EncryptionKey.id).where(
        EncryptionKey.purpose.like(f"{ARCHIVE_PURPOSE}:%"),
        EncryptionKey.purpose < archive_purpose(now),
        ~exists().where(ArchiveRecord.encryption_key_id == EncryptionKey.id),
    )
    if organization_id is not None:
        records = records.where(ArchiveRecord.organization_id == organization_id)
        unused_keys = unused_keys.where(EncryptionKey.organization_id == organization_id)
    async with unit_of_work(sessions) as session:
        purged = int(getattr(await session.execute(records), "rowcount", 0) or 0)
        key_ids = set((await session.execute(unused_keys)).scalars())
        if key_ids:
            await session.execute(delete(EncryptionKey).where(EncryptionKey.id.in_(key_ids)))
    if keys is not None:
        keys.cache.destroyed(key_ids)
    if purged or key_ids:
        await _scrub(engine)
    return PurgeResult(purged, len(key_ids))


async def purge_organization(
    session: AsyncSession, organization_id: str, now: datetime
) -> PurgeResult:
    """Delete every archive record of an organization now, whatever its window, and destroy
    the archive keys of its past days, in the caller's unit of work (ZDR approval: data archived
    before it is not kept either). Today's key goes with the next scheduled purge, like any
    day's: a server may hold it in memory for a request that was decided before approval."""
    records = delete(ArchiveRecord).where(ArchiveRecord.organization_id == organization_id)
    purged = int(getattr(await session.execute(records), "rowcount", 0) or 0)
    keys = delete(EncryptionKey).where(
        EncryptionKey.organization_id == organization_id,
        EncryptionKey.purpose.like(f"{ARCHIVE_PURPOSE}:%"),
        EncryptionKey.purpose < archive_purpose(now),
    )
    destroyed = int(getattr(await session.execute(keys), "rowcount", 0) or 0)
    return PurgeResult(purged, destroyed)


async def _scrub(engine: AsyncEngine) -> None:
    """Make the storage engine drop the deleted bytes now rather than some day."""
    if is_sqlite(engine):
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM archive_records"))
        await autocommit.execute(text("VACUUM encryption_keys"))
