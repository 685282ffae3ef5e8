"""A real `kill -9` of the serving process mid-batch: after a restart every line is done
exactly once in the output, no finished line is sent again, and at most the lines in flight
at the kill (runner.CONCURRENCY) reach the upstream twice."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
from mistralai.client import Mistral
from sqlalchemy import func, select

from tests.batch.server_process import LEASE_SECONDS
from tests.conftest import gateway_settings
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.batch.runner import CONCURRENCY
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.kit.clock import FrozenClock
from zerokeep.migrations import runner
from zerokeep.models import BatchLine
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.retention_audit.fake_upstream.server import FakeUpstream
from zerokeep.secret import load_keys

ROOT = Path(__file__).resolve().parents[2]
LINES = 1000
CHAT = "/v1/chat/completions"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    url: str, data_dir: Path, fake: FakeUpstream, port: int
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.batch.server_process", url, str(data_dir)]
    command += [fake.base_url, fake.openai_base_url, str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited on start"
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


async def setup(url: str, data_dir: Path, fake: FakeUpstream) -> str:
    engine = create_engine(url)
    await runner.upgrade(engine)
    settings = gateway_settings(data_dir, url, fake)
    sessions = session_factory(engine, clock=FrozenClock(datetime.now(UTC)))
    async with unit_of_work(sessions) as session:
        org = await organization_service.create(session, CLI, name="Batch kill", plan=Plan.SCALE)
        _, key = await api_key_service.create(
            session, CLI, load_keys(settings).api_key_hmac, org, name="test"
        )
    await engine.dispose()
    return key


async def finished_lines(url: str) -> int:
    engine = create_engine(url)
    try:
        async with read_only(session_factory(engine)) as session:
            query = select(func.count()).where(BatchLine.status != "pending")
            return int((await session.execute(query)).scalar_one())
    finally:
        await engine.dispose()


class TestKill9:
    def test_every_line_is_done_exactly_once_after_a_restart(
        self, empty_database_url: str, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        url = empty_database_url
        key = asyncio.run(setup(url, tmp_path, fake_upstream))
        port = free_port()
        server = start_server(url, tmp_path, fake_upstream, port)
        client = Mistral(api_key=key, server_url=f"http://127.0.0.1:{port}")
        content = b"\n".join(
            orjson.dumps(
                {"custom_id": str(i), "body": {"messages": [{"role": "user", "content": "hi"}]}}
            )
            for i in range(LINES)
        )
        before = fake_upstream.count(CHAT)
        try:
            uploaded = client.files.upload(
                file={"file_name": "lines.jsonl", "content": content}, purpose="batch"
            )
            job = client.batch.jobs.create(
                endpoint=CHAT, model="test-model", input_files=[uploaded.id]
            )
            deadline = time.monotonic() + 120
            while asyncio.run(finished_lines(url)) < LINES // 5:
                assert time.monotonic() < deadline, "the batch never got going"
                time.sleep(0.01)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait()
        assert server.returncode == -signal.SIGKILL
        done_at_kill = asyncio.run(finished_lines(url))
        assert done_at_kill < LINES, "the kill came too late to be mid-job"

        server = start_server(url, tmp_path, fake_upstream, port)
        try:
            deadline = time.monotonic() + 120 + LEASE_SECONDS
            while (current := client.batch.jobs.get(job_id=job.id)).status != "SUCCESS":
                assert current.status in ("RUNNING", "QUEUED"), current.status
                assert time.monotonic() < deadline, "the batch did not finish after the restart"
                time.sleep(0.1)
            assert (current.total_requests, current.succeeded_requests) == (LINES, LINES)
            assert current.failed_requests == 0 and current.output_file is not None
            output = client.files.download(file_id=current.output_file).read()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        ids = [orjson.loads(line)["custom_id"] for line in output.splitlines()]
        assert sorted(ids, key=int) == [str(i) for i in range(LINES)]  # each exactly once
        sent = fake_upstream.count(CHAT) - before
        repeats = sent - LINES
        print(f"finished at the kill: {done_at_kill}; upstream calls: {sent}; repeats: {repeats}")
        assert 0 <= repeats <= CONCURRENCY
