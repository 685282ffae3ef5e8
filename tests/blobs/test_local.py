"""The data-directory blob store: permissions, atomic writes, no plaintext, streaming memory."""

from __future__ import annotations

import os
import stat
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.blobs.streams import Generated, collect, stream_of
from zerokeep.blobs import (
    BlobCorrupted,
    BlobNotFound,
    InvalidBlobName,
    LocalBlobStore,
    blob_store_from_settings,
)
from zerokeep.config import load_settings

KEY = os.urandom(32)
CANARY = b"zerokeep-canary-7f3a9c"


@pytest.fixture()
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


class TestLocalBlobStore:
    async def test_round_trip_and_metadata(self, store: LocalBlobStore) -> None:
        data = CANARY * 20_000
        assert await store.put("files/org_1/f_1", stream_of(data), KEY) == len(data)
        assert await store.exists("files/org_1/f_1")
        assert await store.size("files/org_1/f_1") == len(data)
        assert await collect(store.get("files/org_1/f_1", KEY)) == data

    async def test_owner_only_and_never_plaintext(self, store: LocalBlobStore) -> None:
        await store.put("files/org_1/f_1", stream_of(CANARY * 1000), KEY)
        path = store.root / "files" / "org_1" / "f_1"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        for directory in (store.root, path.parent, path.parent.parent):
            assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert CANARY not in path.read_bytes()
        assert os.listdir(path.parent) == ["f_1"]  # no temporary file left

    async def test_delete(self, store: LocalBlobStore) -> None:
        await store.put("a/b", stream_of(b"x" * 10), KEY)
        assert await store.delete("a/b")
        assert not await store.exists("a/b")
        assert not await store.delete("a/b")
        with pytest.raises(BlobNotFound):
            await collect(store.get("a/b", KEY))
        with pytest.raises(BlobNotFound):
            await store.size("a/b")

    async def test_a_failed_upload_leaves_nothing_and_keeps_the_old_blob(
        self, store: LocalBlobStore
    ) -> None:
        await store.put("a/b", stream_of(b"old"), KEY)

        async def broken() -> AsyncIterator[bytes]:
            yield CANARY * 100_000
            raise ConnectionResetError("client went away")

        with pytest.raises(ConnectionResetError):
            await store.put("a/b", broken(), KEY)
        assert os.listdir(store.root / "a") == ["b"]
        assert await collect(store.get("a/b", KEY)) == b"old"

    async def test_tampering_on_disk_is_detected(self, store: LocalBlobStore) -> None:
        await store.put("a/b", stream_of(os.urandom(200_000)), KEY)
        path = store.root / "a" / "b"
        with path.open("r+b") as handle:
            handle.truncate(path.stat().st_size - 100)
        with pytest.raises(BlobCorrupted):
            await collect(store.get("a/b", KEY))

    @pytest.mark.parametrize(
        "name", ["../x", "/abs", "a/../b", "a//b", "", "a/.hidden/../x", "a b"]
    )
    async def test_unsafe_names_are_refused(self, store: LocalBlobStore, name: str) -> None:
        with pytest.raises(InvalidBlobName):
            await store.put(name, stream_of(b"x"), KEY)

    async def test_memory_stays_flat_for_a_large_blob(self, store: LocalBlobStore) -> None:
        source = Generated(48 * 1024 * 1024)
        tracemalloc.start()
        try:
            written = await store.put("big", source.__aiter__(), KEY)
            _, put_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            received = 0
            async for piece in store.get("big", KEY):
                received += len(piece)
            _, get_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert written == received == source.total
        # A few MiB of buffers, not the 48 MiB blob.
        assert put_peak < 8 * 1024 * 1024, put_peak
        assert get_peak < 8 * 1024 * 1024, get_peak

    def test_settings_pick_the_data_directory_by_default(self, tmp_path: Path) -> None:
        store = blob_store_from_settings(load_settings(data_dir=tmp_path))
        assert isinstance(store, LocalBlobStore) and store.root == tmp_path / "blobs"
