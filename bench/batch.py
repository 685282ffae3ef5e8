"""Batch throughput: lines per second of one batch job through `zerokeep serve` (embedded job
runner, SQLite) against a fixed upstream (the in-process fake Mistral server), with the
server's peak RSS.

    .venv/bin/python bench/batch.py --lines 2000 --endpoint /v1/chat/completions

Starts its own server on a fresh data dir in /tmp and stops it at the end.
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
import orjson

from zerokeep.retention_audit.fake_upstream.server import FakeUpstream

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
CONFIG = """
[[providers]]
name = "fixed"
kind = "mistral"
base_url = "{base_url}"
api_key = "bench"
retention = "none"

[[models]]
name = "bench-model"
provider = "fixed"
routes = ["/v1/chat/completions", "/v1/embeddings"]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def line(index: int, endpoint: str) -> bytes:
    if endpoint == "/v1/embeddings":
        body: dict[str, object] = {"input": [f"text {index}"]}
    else:
        body = {"messages": [{"role": "user", "content": f"question {index}"}]}
    return orjson.dumps({"custom_id": str(index), "body": body})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--endpoint", default="/v1/chat/completions")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zerokeep-batch-bench-"))
    with FakeUpstream() as upstream:
        (work / "zerokeep.toml").write_text(CONFIG.format(base_url=upstream.base_url))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZEROKEEP_")}
        env.update(
            ZEROKEEP_DATA_DIR=str(work / "data"),
            ZEROKEEP_LOG_LEVEL="warning",
            ZEROKEEP_CONFIG=str(work / "zerokeep.toml"),
            ZEROKEEP_DEFAULT_REQUESTS_PER_MINUTE="10000000",
            ZEROKEEP_DEFAULT_TOKENS_PER_MINUTE="1000000000",
        )

        def run(*arguments: str) -> str:
            return subprocess.run(
                [str(ZEROKEEP), *arguments], env=env, check=True, capture_output=True, text=True
            ).stdout

        run("db", "upgrade")
        run("org", "create", "bench", "--plan", "scale", "--slug", "bench")
        key = run("key", "create", "--org", "bench").strip().splitlines()[-1]
        port = free_port()
        command = [str(ZEROKEEP), "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen([*command, "--no-demo"], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(base + "/docs", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            http = httpx.Client(
                base_url=base, headers={"authorization": f"Bearer {key}"}, timeout=600
            )
            content = b"\n".join(line(index, args.endpoint) for index in range(args.lines))
            uploaded = http.post(
                "/v1/files", files={"file": ("in.jsonl", content)}, data={"purpose": "batch"}
            ).json()
            before = status_mb(server.pid, "VmRSS")
            began = time.perf_counter()
            job = http.post(
                "/v1/batch/jobs",
                json={
                    "endpoint": args.endpoint,
                    "model": "bench-model",
                    "input_files": [uploaded["id"]],
                },
            ).json()
            while (job := http.get(f"/v1/batch/jobs/{job['id']}").json())["status"] in (
                "QUEUED",
                "RUNNING",
            ):
                time.sleep(0.2)
            seconds = time.perf_counter() - began
            assert job["status"] == "SUCCESS", job
            assert job["succeeded_requests"] == args.lines, job
            print(
                f"{args.lines} lines of {args.endpoint}: {seconds:.2f} s wall, "
                f"{args.lines / seconds:.0f} lines/s (create to SUCCESS, output file written)"
            )
            print(f"upstream received: {upstream.count(args.endpoint)}")
            print(
                f"server RSS before: {before:.0f} MiB; peak (VmHWM): "
                f"{status_mb(server.pid, 'VmHWM'):.0f} MiB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
