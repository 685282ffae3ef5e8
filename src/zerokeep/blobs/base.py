"""The BlobStore protocol, and the name rule every implementation enforces.

A store keeps encrypted bytes only: `put` encrypts the stream with the object's data key while
it is written, `get` decrypts while it is read (`blobs/crypto.py`); neither holds a whole blob
in memory. Names are relative paths of safe characters (`files/org_1/file_2`).

    size = await store.put("files/org_1/f_1", chunks, key)   # plaintext bytes written
    async for piece in store.get("files/org_1/f_1", key): ...
    await store.size("files/org_1/f_1")                         # plaintext size, no key needed
    await store.delete("files/org_1/f_1")                       # True if it existed
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Protocol

_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
MAX_NAME_LENGTH = 512


class BlobNotFound(LookupError):
    """No blob has this name (never written, or deleted)."""


class InvalidBlobName(ValueError):
    """The name is not a relative path of letters, digits, '.', '_', '-' and '/'."""


def check_name(name: str) -> str:
    if len(name) > MAX_NAME_LENGTH or not _NAME.match(name) or ".." in name.split("/"):
        raise InvalidBlobName("a blob name is a relative path of letters, digits, . _ - and /")
    return name


class BlobStore(Protocol):
    async def put(self, name: str, chunks: AsyncIterator[bytes], key: bytes) -> int:
        """Encrypt and store the stream under `name` (replacing any blob of that name);
        returns the plaintext size. A failed put leaves no partial blob behind."""
        ...

    def get(self, name: str, key: bytes) -> AsyncIterator[bytes]:
        """Stream the verified plaintext; BlobNotFound, or BlobCorrupted while reading."""
        ...

    async def delete(self, name: str) -> bool:
        """Remove the blob for good; returns whether it existed."""
        ...

    async def exists(self, name: str) -> bool: ...

    async def size(self, name: str) -> int:
        """The plaintext size of the stored blob (BlobNotFound if none)."""
        ...

    async def aclose(self) -> None: ...
