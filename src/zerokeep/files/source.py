"""Read one of the organization's files whole, for a stateless call that names it by `file_id`
(OCR, transcription): the upstream gets it inline, as if the client had sent it.

    source = file_source(sessions, storage, max_bytes)
    stored = await source(organization_id, user_id, file_id)   # Content[UploadedFile]
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.db import read_only
from zerokeep.errors import PayloadTooLarge
from zerokeep.files import repository
from zerokeep.gateway.file_source import FileSource
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.providers.base import UploadedFile
from zerokeep.retention.content import Content


def file_source(
    sessions: async_sessionmaker[AsyncSession], storage: FileStorage, max_bytes: int
) -> FileSource:
    async def fetch(
        organization_id: str, user_id: str | None, file_id: str
    ) -> Content[UploadedFile]:
        async with read_only(sessions) as session:
            stored = await repository.get_visible(session, organization_id, user_id, file_id)
            if stored.size_bytes > max_bytes:
                raise PayloadTooLarge(
                    "The file is larger than this deployment sends inline to a model."
                )
            chunks = await storage.read(session, stored.encryption_key_id, stored.blob_name)
        data = bytearray()
        async for chunk in chunks:
            data += chunk
        upload = UploadedFile(
            stored.filename, stored.mimetype or "application/octet-stream", bytes(data)
        )
        return Content(upload, size=len(data))

    return fetch
