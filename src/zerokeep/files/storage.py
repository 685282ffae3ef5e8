"""Where a file's bytes live: encrypted in the blob store under the file's own data key.

Every stateful product stores content through this seam, so purge (delete the blob, destroy
the key) is one call. Content is streamed both ways; nothing holds a whole file in memory.

    storage = FileStorage(blobs, keyring)
    key_id, key = await storage.new_key(session, "org_1", file_id)
    size = await storage.blobs.put("files/org_1/<id>", chunks, key)
    async for chunk in await storage.read(session, key_id, "files/org_1/<id>"): ...
    await storage.destroy(session, key_id, "files/org_1/<id>")
"""

from __future__ import annotations

import contextlib
import os
import secrets
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.archive.keyring import KeyRing
from zerokeep.errors import NotFound
from zerokeep.models import EncryptionKey

CHUNK_BYTES = 64 * 1024
_FRAME = struct.Struct(">I")


def file_key_purpose(file_id: str) -> str:
    return f"file:{file_id}"


class LocalBlobs:
    """Encrypted blobs in the data directory: 64 KiB chunks, each AES-256-GCM with a nonce of
    (random per-blob prefix, counter) and the chunk's index and last-chunk flag in its
    associated data, so truncation, reordering and splicing are detected on read."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("blob name escapes the store")
        return path

    async def put(self, name: str, chunks: AsyncIterator[bytes], key: bytes) -> int:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(path.name + ".partial")
        aead = AESGCM(key)
        prefix = secrets.token_bytes(4)
        size = 0
        index = 0
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            async with await anyio.open_file(descriptor, "wb") as sink:
                await sink.write(prefix)
                pending = b""
                async for piece in chunks:
                    size += len(piece)
                    pending += piece
                    while len(pending) > CHUNK_BYTES:
                        await sink.write(_seal(aead, prefix, index, pending[:CHUNK_BYTES], False))
                        pending = pending[CHUNK_BYTES:]
                        index += 1
                await sink.write(_seal(aead, prefix, index, pending, True))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
        return size

    async def get(self, name: str, key: bytes) -> AsyncIterator[bytes]:
        aead = AESGCM(key)
        try:
            source = await anyio.open_file(self._path(name), "rb")
        except FileNotFoundError:
            raise NotFound("The file's content is gone.") from None
        async with source:
            prefix = await source.read(4)
            index = 0
            while True:
                header = await source.read(_FRAME.size)
                if len(header) < _FRAME.size:
                    raise ValueError("blob truncated")
                (length,) = _FRAME.unpack(header)
                frame = await source.read(length)
                is_last = frame[:1] == b"\x01"
                nonce = prefix + index.to_bytes(8, "big")
                yield aead.decrypt(nonce, frame[1:], _aad(index, is_last))
                if is_last:
                    return
                index += 1

    async def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()


def _aad(index: int, is_last: bool) -> bytes:
    return index.to_bytes(8, "big") + (b"\x01" if is_last else b"\x00")


def _seal(aead: AESGCM, prefix: bytes, index: int, plaintext: bytes, is_last: bool) -> bytes:
    nonce = prefix + index.to_bytes(8, "big")
    body = (b"\x01" if is_last else b"\x00") + aead.encrypt(nonce, plaintext, _aad(index, is_last))
    return _FRAME.pack(len(body)) + body


class FileStorage:
    def __init__(self, blobs: LocalBlobs, keyring: KeyRing) -> None:
        self.blobs = blobs
        self.keyring = keyring

    async def new_key(
        self, session: AsyncSession, organization_id: str, object_id: str
    ) -> tuple[str, bytes]:
        """The object's own data key (created now, wrapped under the organization's)."""
        return await self.keyring.data_key(session, organization_id, file_key_purpose(object_id))

    async def read(
        self, session: AsyncSession, key_id: str, blob_name: str
    ) -> AsyncIterator[bytes]:
        """Unwrap the key with `session`; the returned stream needs no session while it runs."""
        key = await self.keyring.key_by_id(session, key_id)
        if key is None:
            raise NotFound("The file's key was destroyed: its content is gone.")
        return self.blobs.get(blob_name, key)

    async def destroy(self, session: AsyncSession, key_id: str, blob_name: str) -> None:
        """Crypto-shred: the blob goes, and its key with it (any copy is unreadable)."""
        await self.blobs.delete(blob_name)
        await session.execute(delete(EncryptionKey).where(EncryptionKey.id == key_id))
        self.keyring.forget({key_id})

    async def destroy_organization_keys(self, session: AsyncSession, organization_id: str) -> int:
        """Every key of the organization: what it encrypted anywhere becomes unreadable."""
        result = await session.execute(
            delete(EncryptionKey)
            .where(EncryptionKey.organization_id == organization_id)
            .returning(EncryptionKey.id)
        )
        ids = set(result.scalars())
        self.keyring.forget(ids)
        return len(ids)
