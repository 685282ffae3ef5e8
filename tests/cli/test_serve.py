"""`zerokeep serve` as a real process on the embedded defaults: first start creates the demo
organization and prints its key, the official SDK can use it, a restart reuses it."""

from __future__ import annotations

import os
import queue
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mistralai.client import Mistral

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
DEMO_KEY_LINE = re.compile(r"demo API key:\s+(zk_[A-Za-z0-9]{42})\b")
STARTUP_SECONDS = 60
READY_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """One `zerokeep serve` process; its stdout is read line by line on a thread."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZEROKEEP_")}
        env.update(
            ZEROKEEP_DATA_DIR=str(data_dir),
            ZEROKEEP_CONFIG="",
            PYTHONUNBUFFERED="1",
            COLUMNS="400",
            NO_COLOR="1",
        )
        self.stderr = (data_dir.parent / f"serve-{self.port}.err").open("w")
        self.process = subprocess.Popen(
            [str(ZEROKEEP), "serve", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
            cwd=data_dir.parent,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def demo_key(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            self.output.append(line)
            if match := DEMO_KEY_LINE.search(line):
                return match.group(1)
        pytest.fail(f"no demo API key line on stdout: {''.join(self.output)!r}")

    def wait_ready(self, key: str) -> None:
        """Poll GET /v1/models until it answers (bounded), failing fast if the process died."""
        deadline = time.monotonic() + READY_SECONDS
        headers = {"Authorization": f"Bearer {key}"}
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "zerokeep serve exited during start-up"
            try:
                response = httpx.get(self.base_url + "/v1/models", headers=headers, timeout=1)
            except httpx.TransportError:
                time.sleep(0.05)  # poll interval of a bounded readiness loop
                continue
            assert response.status_code == 200, response.text
            return
        pytest.fail(f"zerokeep serve did not answer within {READY_SECONDS} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.stderr.close()


@pytest.fixture()
def serve() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        served.stop()


def start(started: list[Served], data_dir: Path) -> Served:
    served = Served(data_dir)
    started.append(served)
    return served


def count(database: Path, query: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(query).fetchone()[0])


class TestServe:
    def test_first_start_prints_a_demo_key_that_works_with_the_sdk(
        self, serve: list[Served], tmp_path: Path
    ) -> None:
        data_dir = tmp_path / "data"
        served = start(serve, data_dir)
        key = served.demo_key()
        served.wait_ready(key)
        listed = Mistral(api_key=key, server_url=served.base_url).models.list()
        assert "local-chat" in {model.id for model in listed.data}
        response = httpx.get(served.base_url + "/v1/models")
        assert response.status_code == 401
        assert (data_dir / "zerokeep.db").exists()
        assert (data_dir / "demo-api-key").stat().st_mode & 0o077 == 0
        assert (data_dir / "secret.key").stat().st_mode & 0o077 == 0

    def test_second_start_reuses_the_demo(self, serve: list[Served], tmp_path: Path) -> None:
        data_dir = tmp_path / "data"
        first = start(serve, data_dir)
        key = first.demo_key()
        first.wait_ready(key)
        first.stop()
        assert first.process.returncode is not None

        second = start(serve, data_dir)
        assert second.demo_key() == key
        second.wait_ready(key)
        assert Mistral(api_key=key, server_url=second.base_url).models.list().data
        database = data_dir / "zerokeep.db"
        assert count(database, "SELECT count(*) FROM organizations") == 1
        assert count(database, "SELECT count(*) FROM organizations WHERE slug = 'demo'") == 1
        assert count(database, "SELECT count(*) FROM api_keys") == 1
        assert (
            count(
                database,
                "SELECT count(*) FROM organizations WHERE plan = 'scale' AND zdr_state = 'active'",
            )
            == 1
        )
