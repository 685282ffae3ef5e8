"""The S3 blob store against a local S3-compatible server (moto's server mode, real HTTP)."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiobotocore.session import get_session

from tests.blobs.streams import Generated, collect, stream_of
from zerokeep.blobs import BlobCorrupted, BlobNotFound, blob_store_from_settings
from zerokeep.blobs.s3 import PART_BYTES, S3BlobStore
from zerokeep.config import load_settings

KEY = os.urandom(32)
CANARY = b"zerokeep-s3-canary-41d2"
BUCKET = "zerokeep-test"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test-secret"}


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = spare_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


class RawS3:
    """Direct access to the bucket, to see what the store really wrote."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    async def call(self, operation: str, **arguments: Any) -> Any:
        async with get_session().create_client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", **CREDENTIALS
        ) as client:
            response = await getattr(client, operation)(**arguments)
            if "Body" in response:
                async with response["Body"] as body:
                    return await body.read()
            return response


@pytest.fixture()
async def store(s3_endpoint: str) -> AsyncIterator[S3BlobStore]:
    raw = RawS3(s3_endpoint)
    try:
        await raw.call("create_bucket", Bucket=BUCKET)
    except Exception as error:  # created by an earlier test of this module
        if "BucketAlready" not in type(error).__name__ and "BucketAlready" not in str(error):
            raise
    store = S3BlobStore(
        bucket=BUCKET,
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key_id=CREDENTIALS["aws_access_key_id"],
        secret_access_key=CREDENTIALS["aws_secret_access_key"],
        prefix="zk",
    )
    try:
        yield store
    finally:
        await store.aclose()


class TestS3BlobStore:
    async def test_round_trip_small(self, store: S3BlobStore, s3_endpoint: str) -> None:
        data = CANARY * 3000
        assert await store.put("files/org_1/f_1", stream_of(data), KEY) == len(data)
        assert await store.exists("files/org_1/f_1")
        assert await store.size("files/org_1/f_1") == len(data)
        assert await collect(store.get("files/org_1/f_1", KEY)) == data
        stored = await RawS3(s3_endpoint).call(
            "get_object", Bucket=BUCKET, Key="zk/files/org_1/f_1"
        )
        assert CANARY not in stored and len(stored) > len(data)

    async def test_multipart_upload_streams(self, store: S3BlobStore, s3_endpoint: str) -> None:
        source = Generated(2 * PART_BYTES + 12345)
        assert await store.put("big", source.__aiter__(), KEY) == source.total
        head = await RawS3(s3_endpoint).call("head_object", Bucket=BUCKET, Key="zk/big")
        assert "-3" in head["ETag"]  # three parts: one S3 part per 8 MiB, never the whole blob
        received = Generated(0)
        async for piece in store.get("big", KEY):
            received.digest.update(piece)
            received.produced += len(piece)
        assert received.produced == source.total
        assert received.digest.digest() == source.digest.digest()

    async def test_delete_and_not_found(self, store: S3BlobStore) -> None:
        await store.put("gone", stream_of(b"x"), KEY)
        assert await store.delete("gone")
        assert not await store.exists("gone")
        assert not await store.delete("gone")
        with pytest.raises(BlobNotFound):
            await collect(store.get("gone", KEY))
        with pytest.raises(BlobNotFound):
            await store.size("gone")

    async def test_a_failed_multipart_upload_is_aborted(
        self, store: S3BlobStore, s3_endpoint: str
    ) -> None:
        async def broken() -> AsyncIterator[bytes]:
            yield os.urandom(PART_BYTES + 1024)
            raise ConnectionResetError("client went away")

        with pytest.raises(ConnectionResetError):
            await store.put("half", broken(), KEY)
        assert not await store.exists("half")
        uploads = await RawS3(s3_endpoint).call("list_multipart_uploads", Bucket=BUCKET)
        assert not uploads.get("Uploads")

    async def test_tampered_object_is_detected(self, store: S3BlobStore, s3_endpoint: str) -> None:
        await store.put("t", stream_of(os.urandom(100_000)), KEY)
        raw = RawS3(s3_endpoint)
        stored = await raw.call("get_object", Bucket=BUCKET, Key="zk/t")
        await raw.call("put_object", Bucket=BUCKET, Key="zk/t", Body=stored[:-1])
        with pytest.raises(BlobCorrupted):
            await collect(store.get("t", KEY))

    async def test_built_from_settings(self, s3_endpoint: str, tmp_path: Path) -> None:
        settings = load_settings(
            data_dir=tmp_path,
            blob_store="s3",
            s3_endpoint_url=s3_endpoint,
            s3_bucket=BUCKET,
            s3_access_key_id="test",
            s3_secret_access_key="test-secret",
        )
        store = blob_store_from_settings(settings)
        assert isinstance(store, S3BlobStore)
        try:
            await store.put("from-settings", stream_of(b"hello"), KEY)
            assert await collect(store.get("from-settings", KEY)) == b"hello"
        finally:
            await store.aclose()
