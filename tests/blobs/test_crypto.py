"""Streaming blob encryption: round trip at every boundary, and every way to corrupt a blob."""

from __future__ import annotations

import os

import pytest

from tests.blobs.streams import Generated, collect, from_pieces, stream_of
from zerokeep.blobs.crypto import (
    CHUNK_BYTES,
    HEADER_BYTES,
    SEALED_CHUNK_BYTES,
    BlobCorrupted,
    ciphertext_size,
    decrypt_stream,
    encrypt_stream,
    plaintext_size,
)

KEY = os.urandom(32)
NAME = "files/org_1/f_1"


async def sealed(data: bytes, name: str = NAME, key: bytes = KEY) -> bytes:
    return await collect(encrypt_stream(stream_of(data, 7_777), key, name))


async def opened(blob: bytes, name: str = NAME, key: bytes = KEY, piece: int = 5_000) -> bytes:
    return await collect(decrypt_stream(stream_of(blob, piece), key, name))


class TestRoundTrip:
    @pytest.mark.parametrize(
        "size",
        [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 3 * CHUNK_BYTES + 5],
    )
    async def test_every_boundary(self, size: int) -> None:
        data = os.urandom(size)
        blob = await sealed(data)
        assert len(blob) == ciphertext_size(size)
        assert plaintext_size(len(blob)) == size
        assert await opened(blob) == data
        if size < 1000:  # byte by byte: framing must not depend on how reads are split
            assert await opened(blob, piece=1) == data

    async def test_same_plaintext_twice_gives_different_ciphertext(self) -> None:
        data = b"canary-" * 1000
        first, second = await sealed(data), await sealed(data)
        assert first != second
        assert b"canary-" not in first

    async def test_output_is_yielded_while_the_input_arrives(self) -> None:
        source = Generated(32 * 1024 * 1024)
        emitted = 0
        furthest_ahead = 0
        async for piece in encrypt_stream(source.__aiter__(), KEY, NAME):
            emitted += len(piece)
            furthest_ahead = max(furthest_ahead, source.produced - emitted)
        assert emitted == ciphertext_size(source.total)
        # Never more than one input piece plus one chunk held back, whatever the total.
        assert furthest_ahead <= source.piece + CHUNK_BYTES


class TestCorruption:
    async def _expect_corrupted(self, blob: bytes, name: str = NAME, key: bytes = KEY) -> None:
        with pytest.raises(BlobCorrupted):
            await opened(blob, name, key)

    async def test_a_flipped_byte(self) -> None:
        blob = bytearray(await sealed(os.urandom(3 * CHUNK_BYTES)))
        for position in (0, HEADER_BYTES - 1, HEADER_BYTES + 10, len(blob) - 1):
            tampered = bytearray(blob)
            tampered[position] ^= 1
            await self._expect_corrupted(bytes(tampered))

    async def test_truncated_at_a_chunk_boundary_or_inside(self) -> None:
        blob = await sealed(os.urandom(3 * CHUNK_BYTES + 10))
        for end in (
            HEADER_BYTES + SEALED_CHUNK_BYTES,
            HEADER_BYTES + 2 * SEALED_CHUNK_BYTES,
            len(blob) - 1,
            HEADER_BYTES + 5,
            10,
            0,
        ):
            await self._expect_corrupted(blob[:end])

    async def test_reordered_dropped_or_duplicated_chunks(self) -> None:
        blob = await sealed(os.urandom(3 * CHUNK_BYTES + 10))
        header, body = blob[:HEADER_BYTES], blob[HEADER_BYTES:]
        chunks = [body[i : i + SEALED_CHUNK_BYTES] for i in range(0, len(body), SEALED_CHUNK_BYTES)]
        assert len(chunks) == 4
        for order in ([1, 0, 2, 3], [0, 2, 3], [0, 0, 1, 2, 3], [0, 1, 2, 3, 3]):
            await self._expect_corrupted(header + b"".join(chunks[i] for i in order))

    async def test_wrong_name_or_key_or_a_foreign_header(self) -> None:
        blob = await sealed(b"hello")
        await self._expect_corrupted(blob, name="files/org_1/f_2")
        await self._expect_corrupted(blob, key=os.urandom(32))
        other = await sealed(b"hello")
        await self._expect_corrupted(other[:HEADER_BYTES] + blob[HEADER_BYTES:])
        await self._expect_corrupted(b"NOPE" + blob[4:])

    async def test_uneven_input_pieces_do_not_matter(self) -> None:
        data = os.urandom(2 * CHUNK_BYTES + 3)
        pieces = [data[:1], data[1 : CHUNK_BYTES + 7], b"", data[CHUNK_BYTES + 7 :]]
        blob = await collect(encrypt_stream(from_pieces(pieces), KEY, NAME))
        assert await opened(blob, piece=SEALED_CHUNK_BYTES) == data
