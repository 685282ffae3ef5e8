"""Async byte streams for blob tests: generated content, split unevenly, counted as consumed."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable


async def stream_of(data: bytes, piece: int = 10_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), piece):
        yield data[start : start + piece]


async def from_pieces(pieces: Iterable[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


class Generated:
    """`total` deterministic bytes in `piece`-sized pieces, made on demand (never all at once);
    `produced` counts what the consumer has pulled so far."""

    def __init__(self, total: int, piece: int = 1024 * 1024) -> None:
        self.total = total
        self.piece = piece
        self.produced = 0
        self.digest = hashlib.sha256()

    def block(self, index: int) -> bytes:
        seed = hashlib.sha256(index.to_bytes(8, "big")).digest()
        return (seed * (self.piece // len(seed) + 1))[: self.piece]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        index = 0
        while self.produced < self.total:
            data = self.block(index)[: self.total - self.produced]
            self.produced += len(data)
            self.digest.update(data)
            index += 1
            yield data


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])
