"""Files API throughput: upload and download of one large file through `zerokeep serve`, with the
server's peak RSS (VmHWM) before and after, to show that streaming keeps memory flat.

    .venv/bin/python bench/files.py --megabytes 100

Starts its own server on a fresh SQLite data dir in /tmp and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
LINE = (
    b'{"custom_id": "x", "body": {"messages": [{"role": "user", "content": "'
    + b"a" * 400
    + b'"}]}}\n'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zerokeep-files-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEROKEEP_")}
    env.update(
        ZEROKEEP_DATA_DIR=str(work / "data"),
        ZEROKEEP_LOG_LEVEL="warning",
        ZEROKEEP_CONFIG=str(work / "absent.toml"),
    )

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ZEROKEEP), *arguments], env=env, check=True, capture_output=True, text=True
        )

    run("db", "upgrade")
    run("org", "create", "bench", "--plan", "scale", "--slug", "bench")
    key = run("key", "create", "--org", "bench").stdout.strip().splitlines()[-1]
    source = work / "upload.jsonl"
    with source.open("wb") as sink:
        target = args.megabytes * 1024 * 1024
        while sink.tell() < target:
            sink.write(LINE * 1000)
    size = source.stat().st_size
    port = free_port()
    server = subprocess.Popen(
        [str(ZEROKEEP), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-demo"], env=env
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        http = httpx.Client(base_url=base, headers={"authorization": f"Bearer {key}"}, timeout=600)
        http.get("/v1/files")  # warm up imports and the first query
        before = rss_mb(server.pid)
        began = time.perf_counter()
        with source.open("rb") as handle:
            created = http.post(
                "/v1/files", files={"file": ("big.jsonl", handle)}, data={"purpose": "batch"}
            )
        upload_seconds = time.perf_counter() - began
        created.raise_for_status()
        after_upload = peak_rss_mb(server.pid)
        file_id = created.json()["id"]
        began = time.perf_counter()
        received = 0
        with http.stream("GET", f"/v1/files/{file_id}/content") as response:
            for chunk in response.iter_bytes():
                received += len(chunk)
        download_seconds = time.perf_counter() - began
        assert received == size, (received, size)
        mb = size / 1024 / 1024
        lines = created.json()["num_lines"]
        print(f"file: {mb:.1f} MiB ({lines} JSONL lines checked while streaming)")
        print(f"upload:   {upload_seconds:.2f} s  {mb / upload_seconds:.1f} MiB/s")
        print(f"download: {download_seconds:.2f} s  {mb / download_seconds:.1f} MiB/s")
        print(
            f"server RSS before: {before:.0f} MiB; peak (VmHWM) after upload: "
            f"{after_upload:.0f} MiB; after download: {peak_rss_mb(server.pid):.0f} MiB"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
