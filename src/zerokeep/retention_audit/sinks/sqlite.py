"""The SQLite database: the file and its `-wal`, `-journal` and `-shm` companions, as raw bytes,
so free pages and not-yet-checkpointed WAL frames are read too."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from zerokeep.retention_audit.sinks.base import ScanContext, SinkResult, SinkStatus, scan_paths

COMPANIONS = ("", "-wal", "-journal", "-shm")
SQLITE_HEADER = b"SQLite format 3\x00"


def database_path(database_url: str | None) -> Path | None:
    if database_url is None:
        return None
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def page_counts(path: Path) -> tuple[int, int] | None:
    """(pages, free pages) from the database header, or None if it is not a SQLite file."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return None
    page_size = int.from_bytes(header[16:18], "big") or 65536
    size = path.stat().st_size
    return size // page_size, int.from_bytes(header[36:40], "big")


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("sqlite", "database-files")
    database = database_path(context.database_url)
    if database is None:
        return [result.skip(SinkStatus.NOT_PRESENT, "the database is not SQLite")]
    if not database.exists():
        return [result.skip(SinkStatus.ERROR, f"the SQLite file {database} does not exist")]
    paths = [Path(f"{database}{suffix}") for suffix in COMPANIONS]
    present = [path for path in paths if path.exists()]
    await asyncio.to_thread(scan_paths, context.scanner, database.parent, present, result)
    counts = await asyncio.to_thread(page_counts, database)
    if counts is not None:
        result.notes.append(f"{counts[0]} pages, {counts[1]} on the free list, all read")
    missing = [path.name for path in paths if not path.exists()]
    if missing:
        result.notes.append("absent at scan time: " + ", ".join(missing))
    return [result]
