"""Blob store throughput and memory: put and get of a generated blob through the local store
(and the S3 store against moto's server with --s3), encrypted while streamed.

    .venv/bin/python bench/blobs.py --megabytes 100 [--s3]

Prints MB/s for put and get and the process's peak RSS before and after (ru_maxrss), which must
stay flat: a streamed blob is never held whole in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from zerokeep.blobs import BlobStore, LocalBlobStore

PIECE = 1024 * 1024


async def generated(total: int) -> AsyncIterator[bytes]:
    block = os.urandom(PIECE)
    sent = 0
    while sent < total:
        data = block[: min(PIECE, total - sent)]
        sent += len(data)
        yield data


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(store: BlobStore, total: int, label: str) -> None:
    key = os.urandom(32)
    before = peak_rss_mb()
    started = time.perf_counter()
    await store.put("bench/blob", generated(total), key)
    put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    received = 0
    async for piece in store.get("bench/blob", key):
        received += len(piece)
    get_seconds = time.perf_counter() - started
    assert received == total
    await store.delete("bench/blob")
    megabytes = total / 1e6
    print(
        f"{label}: {megabytes:.0f} MB put {megabytes / put_seconds:.0f} MB/s, "
        f"get {megabytes / get_seconds:.0f} MB/s; peak RSS {before:.0f} MB before, "
        f"{peak_rss_mb():.0f} MB after"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--s3", action="store_true")
    args = parser.parse_args()
    total = args.megabytes * 1_000_000
    with tempfile.TemporaryDirectory() as directory:
        await measure(LocalBlobStore(Path(directory)), total, "local")
    if args.s3:
        await measure_s3(total)


async def measure_s3(total: int) -> None:
    from aiobotocore.session import get_session
    from moto.server import ThreadedMotoServer

    from zerokeep.blobs.s3 import S3BlobStore

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    try:
        async with get_session().create_client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", **credentials
        ) as client:
            await client.create_bucket(Bucket="bench")
        store = S3BlobStore(
            bucket="bench",
            endpoint_url=endpoint,
            access_key_id="bench",
            secret_access_key="bench",
        )
        try:
            await measure(store, total, "s3 (moto, same process)")
        finally:
            await store.aclose()
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
