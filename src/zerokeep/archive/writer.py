"""Write archive records in batches off the critical path; refuses anything but ARCHIVE."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.archive.keyring import archive_purpose
from zerokeep.db import unit_of_work
from zerokeep.keys import KeyService
from zerokeep.kit.batcher import Batcher
from zerokeep.kit.crypto import seal
from zerokeep.kit.ids import new_id
from zerokeep.models import ArchiveRecord
from zerokeep.providers.base import UploadedFile
from zerokeep.retention.content import Content
from zerokeep.retention.decision import Decision


class ArchiveRefused(RuntimeError):
    """Raised when code tries to archive under a decision that does not allow it."""


@dataclass(frozen=True, slots=True, repr=False)
class ArchiveEntry:
    organization_id: str
    route: str
    model: str | None
    status_code: int
    archive_days: int
    created_at: datetime
    request: Content[Any]
    response: Content[Any]
    file: Content[UploadedFile] | None = None

    def __repr__(self) -> str:
        return f"<ArchiveEntry {self.route} org={self.organization_id} redacted>"


class ArchiveWriter:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], keys: KeyService, interval: float = 0.5
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self.batcher: Batcher[ArchiveEntry] = Batcher(
            "archive.write", self._write, interval, max_batch=200
        )

    def submit(
        self,
        decision: Decision,
        *,
        organization_id: str,
        route: str,
        model: str | None,
        status_code: int,
        created_at: datetime,
        request: Content[Any],
        response: Content[Any],
        file: Content[UploadedFile] | None = None,
    ) -> None:
        if not decision.may_archive:
            raise ArchiveRefused(f"decision {decision.header_value!r} does not allow archiving")
        self.batcher.submit(
            ArchiveEntry(
                organization_id,
                route,
                model,
                status_code,
                decision.archive_days,
                created_at,
                request,
                response,
                file,
            )
        )

    async def _write(self, entries: list[ArchiveEntry]) -> None:
        groups: dict[tuple[str, str, str | None, int, str], list[ArchiveEntry]] = {}
        for entry in entries:
            day = archive_purpose(entry.created_at)
            group_key = (entry.organization_id, entry.route, entry.model, entry.archive_days, day)
            groups.setdefault(group_key, []).append(entry)
        async with unit_of_work(self._sessions) as session:
            rows = []
            for (organization_id, *_, day), group in groups.items():
                key_id, key = await self._keys.data_key_for(session, organization_id, day)
                rows.append(_sealed_row(group, key_id, key))
            table = ArchiveRecord.metadata.tables[ArchiveRecord.__tablename__]
            await session.execute(insert(table), rows)


def _sealed_row(group: list[ArchiveEntry], key_id: str, key: bytes) -> dict[str, Any]:
    """One row for calls that share organization, route, model, window and key."""
    first = group[0]
    record_id = new_id("arc")
    payload = orjson.dumps(
        [
            {
                "created_at": entry.created_at.isoformat(),
                "status_code": entry.status_code,
                "request": entry.request.expose(),
                "file": _file_payload(entry.file),
                "response": entry.response.expose(),
            }
            for entry in group
        ]
    )
    created_at = min(entry.created_at for entry in group)
    return {
        "id": record_id,
        "organization_id": first.organization_id,
        "encryption_key_id": key_id,
        "route": first.route,
        "model": first.model,
        "created_at": created_at,
        # The earliest call sets the expiry: no call in the row outlives its window.
        "expires_at": created_at + timedelta(days=first.archive_days),
        "record_count": len(group),
        "sealed_payload": seal(key, payload, record_id.encode()),
    }


def _file_payload(file: Content[UploadedFile] | None) -> dict[str, str] | None:
    if file is None:
        return None
    upload = file.expose()
    return {
        "filename": upload.filename,
        "content_type": upload.content_type,
        "data_base64": base64.b64encode(upload.data).decode(),
    }
