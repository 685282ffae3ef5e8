"""Blob storage for stateful products: encrypted while streamed, in the data directory or S3.

    store = blob_store_from_settings(settings)     # AppState.blob_store
    key_id, key = await key_service.data_key_for(session, organization_id, "file:f_1")
    size = await store.put("files/f_1", chunks, key)   # chunks: AsyncIterator[bytes]
    async for piece in store.get("files/f_1", key):    # verified plaintext, chunk by chunk
        ...
    await store.delete("files/f_1"); await store.exists(...); await store.size(...)

Purging an object deletes its blob AND destroys its data key, so copies of the ciphertext
(backups, replicas, object versions) cannot be read either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zerokeep.blobs.base import BlobNotFound, BlobStore, InvalidBlobName, check_name
from zerokeep.blobs.crypto import BlobCorrupted
from zerokeep.blobs.local import LocalBlobStore

if TYPE_CHECKING:
    from zerokeep.config import Settings

BLOBS_DIR_NAME = "blobs"


def blob_store_from_settings(settings: Settings) -> BlobStore:
    """`ZEROKEEP_BLOB_STORE=local` (default, `<data_dir>/blobs`) or `s3` (ZEROKEEP_S3_*)."""
    if settings.blob_store == "s3":
        from zerokeep.blobs.s3 import S3BlobStore

        assert settings.s3_bucket is not None  # enforced by Settings
        return S3BlobStore(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
        )
    return LocalBlobStore(settings.data_dir / BLOBS_DIR_NAME)


__all__ = [
    "BlobCorrupted",
    "BlobNotFound",
    "BlobStore",
    "InvalidBlobName",
    "LocalBlobStore",
    "blob_store_from_settings",
    "check_name",
]
