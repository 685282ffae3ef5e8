"""Streaming AES-256-GCM for blobs: encrypt and decrypt chunk by chunk, never the whole blob.

Layout: a 20-byte header (magic `ZKB1` + 16 random salt bytes), then chunks of up to 64 KiB of
plaintext, each sealed with a subkey derived from the object's data key and the salt (HKDF), and
a 12-byte nonce = 11-byte big-endian chunk counter + a final-chunk flag (the STREAM construction
of Hoang, Reyhanitabar, Rogaway and Vizár). Every chunk's AAD binds the header and the blob name.
So a reordered, dropped, duplicated, truncated (even at a chunk boundary) or extended blob, or a
blob copied under another name, fails to decrypt (`BlobCorrupted`). Only the last chunk may be
short, and an empty blob is one empty final chunk.

    async for piece in encrypt_stream(chunks, key, "files/f_1"):  # ciphertext pieces
        ...
    async for piece in decrypt_stream(stored, key, "files/f_1"):  # plaintext, verified
        ...
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterable, AsyncIterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"ZKB1"
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES
CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
_MAX_CHUNKS = 2**88  # the counter's 11 bytes


class BlobCorrupted(ValueError):
    """The stored bytes are not what was written (tampered, truncated, reordered or misnamed)."""


def _cipher(key: bytes, salt: bytes) -> AESGCM:
    subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"zerokeep/blob").derive(
        key
    )
    return AESGCM(subkey)


def _nonce(counter: int, is_final: bool) -> bytes:
    if counter >= _MAX_CHUNKS:
        raise BlobCorrupted("blob has too many chunks")
    return counter.to_bytes(11, "big") + (b"\x01" if is_final else b"\x00")


def ciphertext_size(plaintext_size: int) -> int:
    chunks = max(1, -(-plaintext_size // CHUNK_BYTES))
    return HEADER_BYTES + plaintext_size + chunks * TAG_BYTES


def plaintext_size(stored_size: int) -> int:
    """The plaintext length of a well-formed blob of `stored_size` bytes."""
    body = stored_size - HEADER_BYTES
    if body < TAG_BYTES:
        raise BlobCorrupted("blob is shorter than its header and one chunk")
    chunks = -(-body // SEALED_CHUNK_BYTES)
    return body - chunks * TAG_BYTES


async def encrypt_stream(
    chunks: AsyncIterable[bytes], key: bytes, name: str
) -> AsyncIterator[bytes]:
    """Yield the header, then one sealed chunk per 64 KiB of plaintext as it arrives."""
    salt = secrets.token_bytes(SALT_BYTES)
    header = MAGIC + salt
    aad = header + name.encode()
    cipher = _cipher(key, salt)
    yield header
    counter = 0
    buffer = bytearray()
    async for piece in chunks:
        buffer += piece
        # Keep at least one byte back: only the end of the stream knows which chunk is final.
        while len(buffer) > CHUNK_BYTES:
            plain = bytes(buffer[:CHUNK_BYTES])
            del buffer[:CHUNK_BYTES]
            yield cipher.encrypt(_nonce(counter, False), plain, aad)
            counter += 1
    yield cipher.encrypt(_nonce(counter, True), bytes(buffer), aad)


async def decrypt_stream(
    stored: AsyncIterable[bytes], key: bytes, name: str
) -> AsyncIterator[bytes]:
    """Yield verified plaintext chunk by chunk; raises BlobCorrupted on any tampering."""
    buffer = bytearray()
    cipher: AESGCM | None = None
    aad = b""
    counter = 0
    async for piece in stored:
        buffer += piece
        if cipher is None:
            if len(buffer) < HEADER_BYTES:
                continue
            header = bytes(buffer[:HEADER_BYTES])
            if header[: len(MAGIC)] != MAGIC:
                raise BlobCorrupted("not a zerokeep blob (bad header)")
            del buffer[:HEADER_BYTES]
            cipher = _cipher(key, header[len(MAGIC) :])
            aad = header + name.encode()
        while len(buffer) > SEALED_CHUNK_BYTES:
            sealed = bytes(buffer[:SEALED_CHUNK_BYTES])
            del buffer[:SEALED_CHUNK_BYTES]
            yield _open(cipher, counter, False, sealed, aad)
            counter += 1
    if cipher is None:
        raise BlobCorrupted("blob is shorter than its header")
    yield _open(cipher, counter, True, bytes(buffer), aad)


def _open(cipher: AESGCM, counter: int, is_final: bool, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < TAG_BYTES:
        raise BlobCorrupted("blob is truncated")
    try:
        return cipher.decrypt(_nonce(counter, is_final), sealed, aad)
    except InvalidTag:
        raise BlobCorrupted(
            "blob failed authentication (tampered, truncated or misnamed)"
        ) from None
