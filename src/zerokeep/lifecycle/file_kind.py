"""What hide, restore and purge mean for an uploaded file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.lifecycle.kinds import Purged, Purger
from zerokeep.models import StoredFile


class FileHandler:
    async def hide(
        self, session: AsyncSession, organization_id: str | None, object_id: str, now: datetime
    ) -> int:
        stored = await session.get(StoredFile, object_id)
        if stored is None:
            return 0
        stored.deleted_at = now
        return stored.size_bytes

    async def restore(
        self, session: AsyncSession, organization_id: str | None, object_id: str
    ) -> None:
        stored = await session.get(StoredFile, object_id)
        if stored is not None:
            stored.deleted_at = None

    async def purge(
        self, session: AsyncSession, purger: Purger, organization_id: str | None, object_id: str
    ) -> Purged:
        stored = await session.get(StoredFile, object_id)
        if stored is None:
            return Purged()
        size = stored.size_bytes
        await purger.storage.destroy(session, stored.encryption_key_id, stored.blob_name)
        await session.delete(stored)
        await session.flush()
        return Purged(size_bytes=size, keys_destroyed=1, rows_deleted=1)


FILE_HANDLER = FileHandler()
