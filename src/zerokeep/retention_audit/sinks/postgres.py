"""PostgreSQL: every row of every table, each cast to text (`SELECT t::text FROM table t`, so bytea
shows as hex), and the server's own files when this process can read them: the database's
directory (after a CHECKPOINT, so committed pages are on disk) and the WAL segments written
during the run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from zerokeep.retention_audit.canary import Scanner
from zerokeep.retention_audit.sinks.base import (
    ScanContext,
    SinkResult,
    SinkStatus,
    regular_files,
    scan_paths,
)

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
WINDOW_SLACK_SECONDS = 2.0


def plain_url(database_url: str | None) -> str | None:
    """A libpq URL for asyncpg, or None if the database is not PostgreSQL."""
    if database_url is None:
        return None
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def scan(context: ScanContext) -> list[SinkResult]:
    tables = SinkResult.start("postgresql-tables", "database-rows")
    files = SinkResult.start("postgresql-files", "database-files")
    url = plain_url(context.database_url)
    if url is None:
        reason = "the database is not PostgreSQL"
        return [
            tables.skip(SinkStatus.NOT_PRESENT, reason),
            files.skip(SinkStatus.NOT_PRESENT, reason),
        ]
    try:
        connection: Any = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as error:
        reason = f"cannot connect: {type(error).__name__}"
        return [tables.skip(SinkStatus.ERROR, reason), files.skip(SinkStatus.ERROR, reason)]
    try:
        await _scan_tables(connection, context.scanner, tables)
        await _scan_server_files(connection, context, files)
    finally:
        await connection.close()
    return [tables, files]


async def _scan_tables(connection: Any, scanner: Scanner, result: SinkResult) -> None:
    rows = await connection.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema <> ALL($1::text[]) "
        "ORDER BY 1, 2",
        list(SYSTEM_SCHEMAS),
    )
    for schema, table in rows:
        name = f'"{schema}"."{table}"'
        async with connection.transaction():
            index = 0
            async for record in connection.cursor(f"SELECT t::text FROM {name} t"):
                text: str = record[0] or ""
                data = text.encode("utf-8", errors="surrogateescape")
                result.scanned.rows += 1
                result.scanned.bytes += len(data)
                result.add_hits(f"table {schema}.{table}, row {index}", scanner.scan_bytes(data))
                index += 1
        result.scanned.tables += 1
    result.notes.append(f"{len(rows)} table(s), every column of every row cast to text")


@dataclass(frozen=True, slots=True)
class ServerFiles:
    """The server files that can hold this database's recent bytes, or why they cannot be read."""

    root: Path | None
    database_files: list[Path]
    wal: list[Path]
    temp: list[Path]
    notes: list[str]
    reason: str | None = None

    @property
    def paths(self) -> list[Path]:
        return [*self.database_files, *self.wal, *self.temp]


async def server_files(connection: Any, since: float) -> ServerFiles:
    """CHECKPOINT (so committed pages are on disk), then list the database's directory, the WAL
    segments written since `since`, and the server's temp files."""
    try:
        data_directory = Path(await connection.fetchval("SHOW data_directory"))
        database_oid = await connection.fetchval(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        )
    except asyncpg.PostgresError as error:
        reason = f"SHOW data_directory refused: {type(error).__name__}"
        return ServerFiles(None, [], [], [], [], reason)
    database_dir = data_directory / "base" / str(database_oid)
    wal_dir = data_directory / "pg_wal"
    if not _readable(database_dir) or not _readable(wal_dir):
        reason = f"{data_directory} is not readable by this process"
        return ServerFiles(None, [], [], [], [], reason)
    notes = []
    try:
        await connection.execute("CHECKPOINT")
        notes.append("CHECKPOINT done: committed pages are in the data files")
    except asyncpg.PostgresError as error:
        notes.append(f"CHECKPOINT refused ({type(error).__name__}): pages may lag")
    return await asyncio.to_thread(
        _list_files, data_directory, database_dir, wal_dir, since - WINDOW_SLACK_SECONDS, notes
    )


def _list_files(
    root: Path, database_dir: Path, wal_dir: Path, since: float, notes: list[str]
) -> ServerFiles:
    wal = [path for path in regular_files(wal_dir) if _modified_since(path, since)]
    temp = list(regular_files(root / "base" / "pgsql_tmp"))
    database_files = list(regular_files(database_dir))
    notes.append(
        f"{len(database_files)} file(s) of this database, {len(wal)} WAL segment(s) written "
        f"during the run, {len(temp)} temp file(s)"
    )
    return ServerFiles(root, database_files, wal, temp, notes)


async def _scan_server_files(connection: Any, context: ScanContext, result: SinkResult) -> None:
    found = await server_files(connection, context.started_at)
    if found.root is None:
        result.skip(SinkStatus.SKIPPED, found.reason or "not readable")
        return
    await asyncio.to_thread(scan_paths, context.scanner, found.root, found.paths, result)
    result.notes.extend(found.notes)


def _readable(path: Path) -> bool:
    try:
        next(iter(path.iterdir()), None)
    except OSError:
        return False
    return True


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False
