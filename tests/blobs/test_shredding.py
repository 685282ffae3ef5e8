"""Blobs under the key hierarchy: a copy of a purged object's blob cannot be opened any more."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.blobs.streams import collect, stream_of
from tests.keys.conftest import new_service
from zerokeep.blobs import LocalBlobStore
from zerokeep.db import unit_of_work
from zerokeep.keys import KeyDestroyed, KeyService

CANARY = b"shred-me-canary-9b1e"


class TestCryptoShredding:
    async def test_purged_object_copy_is_unreadable(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keys: KeyService,
        master_path: Path,
        tmp_path: Path,
    ) -> None:
        store = LocalBlobStore(tmp_path / "blobs")
        async with unit_of_work(sessions) as session:
            key_id, key = await keys.data_key_for(session, "org_a", "file:f_1")
        await store.put("files/f_1", stream_of(CANARY * 5000), key)
        backup = tmp_path / "backup"
        shutil.copytree(store.root, backup)

        async with unit_of_work(sessions) as session:  # the object's purge
            await store.delete("files/f_1")
            await keys.destroy_key(session, key_id)

        assert not await store.exists("files/f_1")
        restored = LocalBlobStore(backup)
        assert CANARY not in (backup / "files" / "f_1").read_bytes()
        for service in (keys, new_service(master_path)):
            with pytest.raises(KeyDestroyed):
                async with unit_of_work(sessions) as session:
                    await service.open_data_key(session, key_id)
        # The backup still opens only with the destroyed key's bytes, which no store holds.
        assert await collect(restored.get("files/f_1", key)) == CANARY * 5000
