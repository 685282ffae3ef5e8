"""Blobs in the data directory: one file per blob, 0600 in 0700 directories.

A put writes to a temporary name in the target directory and renames it into place after an
fsync, so a reader sees the old blob or the whole new one, and a crash leaves no half blob under
the real name (stray temporary files start with '.tmp-' and are removed on failure).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from zerokeep.blobs.base import BlobNotFound, check_name
from zerokeep.blobs.crypto import decrypt_stream, encrypt_stream, plaintext_size

READ_BYTES = 256 * 1024


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"<LocalBlobStore {self.root}>"

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def _ensure_directory(self, directory: Path) -> None:
        missing = []
        current = directory
        while not current.exists():
            missing.append(current)
            current = current.parent
        for path in reversed(missing):
            path.mkdir(mode=0o700, exist_ok=True)
            os.chmod(path, 0o700)

    async def put(self, name: str, chunks: AsyncIterator[bytes], key: bytes) -> int:
        path = self._path(name)
        await asyncio.to_thread(self._ensure_directory, path.parent)
        temporary = path.with_name(f".tmp-{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        written = 0
        try:
            with os.fdopen(descriptor, "wb") as handle:
                async for sealed in encrypt_stream(chunks, key, name):
                    await asyncio.to_thread(handle.write, sealed)
                    written += len(sealed)
                await asyncio.to_thread(_sync, handle)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return plaintext_size(written)

    async def get(self, name: str, key: bytes) -> AsyncIterator[bytes]:
        path = self._path(name)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        try:
            async for plain in decrypt_stream(_read(handle), key, name):
                yield plain
        finally:
            handle.close()

    async def delete(self, name: str) -> bool:
        path = self._path(name)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True

    async def exists(self, name: str) -> bool:
        return await asyncio.to_thread(self._path(name).is_file)

    async def size(self, name: str) -> int:
        try:
            stored = (await asyncio.to_thread(self._path(name).stat)).st_size
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        return plaintext_size(stored)

    async def aclose(self) -> None:
        return None


def _sync(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


async def _read(handle: BinaryIO) -> AsyncIterator[bytes]:
    while True:
        data = await asyncio.to_thread(handle.read, READ_BYTES)
        if not data:
            return
        yield data
