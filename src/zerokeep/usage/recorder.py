"""Record usage rows (and keys' last use) in batches, off the request's critical path."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.api_key import repository as api_key_repository
from zerokeep.db import unit_of_work
from zerokeep.kit.batcher import Batcher
from zerokeep.models import UsageRecord


@dataclass(frozen=True, slots=True)
class UsageEntry:
    """Every field is metadata: ids, the catalogued route, a configured model name, counts."""

    organization_id: str
    api_key_id: str | None
    route: str
    model: str | None
    status_code: int
    retention: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: int
    bytes_in: int
    bytes_out: int
    is_stream: bool
    created_at: datetime


_FIELDS = tuple(field.name for field in fields(UsageEntry))


class UsageRecorder:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], interval: float = 0.5) -> None:
        self._sessions = sessions
        self.batcher: Batcher[UsageEntry] = Batcher(
            "usage.record", self._write, interval, max_batch=250
        )

    def record(self, entry: UsageEntry) -> None:
        self.batcher.submit(entry)

    async def _write(self, entries: list[UsageEntry]) -> None:
        latest_use: datetime = max(entry.created_at for entry in entries)
        key_ids = {entry.api_key_id for entry in entries if entry.api_key_id}
        async with unit_of_work(self._sessions) as session:
            rows = [{name: getattr(entry, name) for name in _FIELDS} for entry in entries]
            # Core insert on the table, not the ORM bulk path: no per-row mapper work.
            await session.execute(
                insert(UsageRecord.metadata.tables[UsageRecord.__tablename__]), rows
            )
            await api_key_repository.touch_last_used(session, key_ids, latest_use)
