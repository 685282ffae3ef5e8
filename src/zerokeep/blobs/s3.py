"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...), through aiobotocore.

An upload goes up as it is encrypted: one S3 multipart part per 8 MiB of ciphertext (S3 wants at
least 5 MiB per part but the last), so memory stays bounded by one part whatever the blob's size;
a blob smaller than one part is a single PutObject. A failed upload is aborted, leaving nothing.
Downloads stream the object body and decrypt it chunk by chunk.

    store = S3BlobStore(bucket="zerokeep", endpoint_url="http://127.0.0.1:9000", ...)
    await store.put("files/org_1/f_1", chunks, key)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from zerokeep.blobs.base import BlobNotFound, check_name
from zerokeep.blobs.crypto import decrypt_stream, encrypt_stream, plaintext_size

PART_BYTES = 8 * 1024 * 1024
READ_BYTES = 256 * 1024
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
        }
        self._stack = AsyncExitStack()
        self._client: Any = None

    def __repr__(self) -> str:
        return f"<S3BlobStore {self.bucket}/{self._prefix}>"

    async def _s3(self) -> Any:
        if self._client is None:
            session = get_session()
            self._client = await self._stack.enter_async_context(
                session.create_client("s3", **self._options)
            )
        return self._client

    def _key(self, name: str) -> str:
        return self._prefix + check_name(name)

    async def put(self, name: str, chunks: AsyncIterator[bytes], key: bytes) -> int:
        s3 = await self._s3()
        object_key = self._key(name)
        sealed = encrypt_stream(chunks, key, name)
        part = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        written = 0
        try:
            async for piece in sealed:
                part += piece
                written += len(piece)
                if len(part) >= PART_BYTES:
                    if upload_id is None:
                        created = await s3.create_multipart_upload(
                            Bucket=self.bucket, Key=object_key
                        )
                        upload_id = created["UploadId"]
                    parts.append(await self._upload_part(s3, object_key, upload_id, parts, part))
                    part = bytearray()
            if upload_id is None:
                await s3.put_object(Bucket=self.bucket, Key=object_key, Body=bytes(part))
                return plaintext_size(written)
            if part:
                parts.append(await self._upload_part(s3, object_key, upload_id, parts, part))
            await s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=object_key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            if upload_id is not None:
                await s3.abort_multipart_upload(
                    Bucket=self.bucket, Key=object_key, UploadId=upload_id
                )
            raise
        return plaintext_size(written)

    async def _upload_part(
        self,
        s3: Any,
        object_key: str,
        upload_id: str,
        parts: list[dict[str, Any]],
        body: bytearray,
    ) -> dict[str, Any]:
        number = len(parts) + 1
        response = await s3.upload_part(
            Bucket=self.bucket,
            Key=object_key,
            UploadId=upload_id,
            PartNumber=number,
            Body=bytes(body),
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    async def get(self, name: str, key: bytes) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if _is_not_found(error):
                raise BlobNotFound(name) from None
            raise
        body = response["Body"]
        try:
            async for plain in decrypt_stream(_read(body), key, name):
                yield plain
        finally:
            body.close()

    async def delete(self, name: str) -> bool:
        existed = await self.exists(name)
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._key(name))
        return existed

    async def exists(self, name: str) -> bool:
        try:
            await self._head(name)
        except BlobNotFound:
            return False
        return True

    async def size(self, name: str) -> int:
        return plaintext_size(int((await self._head(name))["ContentLength"]))

    async def _head(self, name: str) -> dict[str, Any]:
        s3 = await self._s3()
        try:
            head: dict[str, Any] = await s3.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if _is_not_found(error):
                raise BlobNotFound(name) from None
            raise
        return head

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None


def _is_not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND


async def _read(body: Any) -> AsyncIterator[bytes]:
    while True:
        data = await body.read(READ_BYTES)
        if not data:
            return
        yield data
