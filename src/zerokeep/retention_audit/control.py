"""The positive control: the same canary traffic from a non-ZDR organization must be in the
archive (read back through the product's own access path, `archive.reader.open_records`), and
must be gone, ciphertext bytes included, once its window has been purged. An audit that cannot
find its control proves nothing, so a missing control fails it.

    archived = await inspect_archive(sessions, keys, organization_id, canary)
    outcome = await purge_and_check(engine, sessions, clock, organization_id, archived, files)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.archive.purge import purge_expired
from zerokeep.archive.reader import open_records
from zerokeep.keys import KeyService
from zerokeep.kit.clock import FrozenClock
from zerokeep.models import ArchiveRecord
from zerokeep.retention.catalogue import STATELESS_ENDPOINTS
from zerokeep.retention_audit.canary import Canary, Scanner
from zerokeep.retention_audit.sinks.postgres import plain_url, server_files

NEEDLE_BYTES = 32


@dataclass(slots=True, repr=False)
class Archived:
    """What the archive holds for the control organization (ciphertexts kept in memory only)."""

    records: int = 0
    routes_with_canary: set[str] = field(default_factory=set)
    sealed: list[bytes] = field(default_factory=list)
    expires_at: list[datetime] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<Archived records={self.records}>"


@dataclass(slots=True)
class ControlResult:
    organization_id: str
    records_found: int = 0
    routes_found: list[str] = field(default_factory=list)
    routes_missing: list[str] = field(default_factory=list)
    earliest_expiry: str | None = None
    latest_expiry: str | None = None
    ciphertext_on_disk_before_purge: list[str] = field(default_factory=list)
    purge: str = "not run"  # "verified", "failed", "not verified in live mode"
    records_purged: int = 0
    rows_after_purge: int | None = None
    ciphertext_on_disk_after_purge: list[str] = field(default_factory=list)
    residue_after_purge: list[str] = field(default_factory=list)  # informational (PostgreSQL)
    notes: list[str] = field(default_factory=list)

    @property
    def is_found(self) -> bool:
        return self.records_found > 0 and not self.routes_missing


async def inspect_archive(
    sessions: async_sessionmaker[AsyncSession],
    keys: KeyService,
    organization_id: str,
    canary: Canary,
) -> Archived:
    """Decrypt the organization's records through the product's reader; note which routes'
    records hold the canary, and keep the sealed bytes to look for them on disk later."""
    scanner = Scanner([canary])
    archived = Archived()
    async with sessions() as session:
        for record in await open_records(session, keys, organization_id, limit=10_000):
            archived.records += 1
            archived.expires_at.append(record.expires_at)
            if scanner.scan_bytes(orjson.dumps(record.payload.expose())):
                archived.routes_with_canary.add(record.route)
        rows = await session.execute(
            select(ArchiveRecord.sealed_payload).where(
                ArchiveRecord.organization_id == organization_id
            )
        )
        archived.sealed = [row[0] for row in rows.all()]
    return archived


def summarize(organization_id: str, archived: Archived) -> ControlResult:
    expected = sorted(endpoint.path for endpoint in STATELESS_ENDPOINTS)
    result = ControlResult(organization_id, records_found=archived.records)
    result.routes_found = sorted(archived.routes_with_canary)
    result.routes_missing = [path for path in expected if path not in archived.routes_with_canary]
    if archived.expires_at:
        result.earliest_expiry = min(archived.expires_at).isoformat()
        result.latest_expiry = max(archived.expires_at).isoformat()
    return result


def ciphertext_locations(paths: Iterable[Path], sealed: list[bytes]) -> list[str]:
    """Files that still hold any sealed record (its middle 32 bytes: unique, and independent of
    where a page boundary cuts its ends)."""
    needles = [box[len(box) // 2 - NEEDLE_BYTES // 2 :][:NEEDLE_BYTES] for box in sealed]
    found = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(needle in data for needle in needles):
            found.append(str(path))
    return found


async def purge_and_check(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    organization_id: str,
    archived: Archived,
    *,
    scoped: bool,
) -> tuple[int, int]:
    """Move the clock past the control's latest expiry, purge, and count what is left.

    `scoped` limits the purge to the control organization (a shared, configured database);
    returns (records purged, control rows left)."""
    if archived.expires_at:
        target = max(archived.expires_at) + timedelta(seconds=1)
        clock.advance(seconds=max(0.0, (target - clock.now()).total_seconds()))
    purged = await purge_expired(
        engine, sessions, clock, organization_id=organization_id if scoped else None
    )
    async with sessions() as session:
        left = await session.scalar(
            select(func.count())
            .select_from(ArchiveRecord)
            .where(ArchiveRecord.organization_id == organization_id)
        )
    return purged, int(left or 0)


async def ciphertext_files(
    local_files: Callable[[], list[Path]],
    database_url: str | None,
    sealed: list[bytes],
    since: float,
) -> list[str]:
    """Files holding any of the sealed records: the local ones, plus the PostgreSQL server's
    files for this database when `database_url` is PostgreSQL and they are readable."""
    paths = await asyncio.to_thread(local_files)
    url = plain_url(database_url)
    if url is not None:
        connection: Any = await asyncpg.connect(url)
        try:
            paths += (await server_files(connection, since)).paths
        finally:
            await connection.close()
    return await asyncio.to_thread(ciphertext_locations, paths, sealed)
