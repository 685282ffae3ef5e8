"""Read archived calls back through the product's own access path (staff, audit, export).

Each archive row seals a batch of calls; this returns one OpenedRecord per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.keys import KeyDestroyed, KeyService
from zerokeep.kit.crypto import open_sealed
from zerokeep.models import ArchiveRecord
from zerokeep.retention.content import Content


@dataclass(frozen=True, slots=True)
class OpenedRecord:
    id: str
    organization_id: str
    route: str
    model: str | None
    created_at: datetime
    expires_at: datetime
    payload: Content[dict[str, Any]]


async def open_records(
    session: AsyncSession, keys: KeyService, organization_id: str, limit: int = 1000
) -> list[OpenedRecord]:
    stmt = (
        select(ArchiveRecord)
        .where(ArchiveRecord.organization_id == organization_id)
        .order_by(ArchiveRecord.created_at)
        .limit(limit)
    )
    opened = []
    for record in (await session.execute(stmt)).scalars():
        try:
            key = await keys.open_data_key(session, record.encryption_key_id)
        except KeyDestroyed:
            continue  # the key was destroyed: the record is unreadable by design
        plaintext = open_sealed(key, record.sealed_payload, record.id.encode())
        calls = orjson.loads(plaintext)
        for index, call in enumerate(calls):
            opened.append(
                OpenedRecord(
                    f"{record.id}/{index}",
                    record.organization_id,
                    record.route,
                    record.model,
                    datetime.fromisoformat(call["created_at"]),
                    record.expires_at,
                    Content(call, size=len(plaintext) // len(calls)),
                )
            )
    return opened
