"""Where a stateful object's bytes live: encrypted in the blob store under its own data key.

Every stateful product stores content through this seam, so purge (delete the blob, destroy
the key) is one call. Content is streamed both ways (blobs/: 64 KiB AES-256-GCM chunks);
nothing holds a whole file in memory. Keys come from the key hierarchy (keys/).

    storage = FileStorage(blob_store, key_service)
    key_id, key = await storage.new_key(session, "org_1", file_id)
    size = await storage.blobs.put("files/org_1/<id>", chunks, key)
    async for chunk in await storage.read(session, key_id, "files/org_1/<id>"): ...
    await storage.destroy(session, key_id, "files/org_1/<id>")
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.blobs import BlobStore
from zerokeep.errors import NotFound
from zerokeep.keys import KeyDestroyed, KeyService


def file_key_purpose(file_id: str) -> str:
    return f"file:{file_id}"


class FileStorage:
    def __init__(self, blobs: BlobStore, keys: KeyService) -> None:
        self.blobs = blobs
        self.keys = keys

    async def new_key(
        self, session: AsyncSession, organization_id: str, object_id: str
    ) -> tuple[str, bytes]:
        """The object's own data key (made now, wrapped under the organization's key)."""
        return await self.keys.data_key_for(session, organization_id, file_key_purpose(object_id))

    async def read(
        self, session: AsyncSession, key_id: str, blob_name: str
    ) -> AsyncIterator[bytes]:
        """Unwrap the key with `session`; the returned stream needs no session while it runs."""
        try:
            key = await self.keys.open_data_key(session, key_id)
        except KeyDestroyed:
            raise NotFound("The file's key was destroyed: its content is gone.") from None
        return self.blobs.get(blob_name, key)

    async def destroy(self, session: AsyncSession, key_id: str, blob_name: str) -> None:
        """Crypto-shred: the blob goes, and its key with it (any copy is unreadable)."""
        await self.blobs.delete(blob_name)
        await self.keys.destroy_key(session, key_id)

    async def destroy_organization_keys(self, session: AsyncSession, organization_id: str) -> int:
        """The organization's key and every data key under it: what they encrypted anywhere,
        backups included, becomes unreadable (a managed master key is rotated too)."""
        destroyed = await self.keys.destroy_organization_key(session, organization_id)
        return destroyed.keys_destroyed
