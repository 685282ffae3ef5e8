"""Batch lines on the scale-out engine: a `zerokeep worker` process (Procrastinate, PostgreSQL)
builds the gateway from the settings and runs a job's lines through it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    postgres_url,
    require_postgres,
)
from tests.jobs.conftest import TEST_SECRET
from zerokeep.audit.actions import CLI
from zerokeep.batch import service as batch_service
from zerokeep.batch.schemas import BatchJobCreate, BatchRequest
from zerokeep.config import Settings
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.models import BatchJob
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.retention_audit.fake_upstream.server import FakeUpstream
from zerokeep.secret import load_keys

ROOT = Path(__file__).resolve().parents[2]
ZEROKEEP = str(Path(sys.executable).with_name("zerokeep"))
LINES = 20
CONFIG = """
[[providers]]
name = "fake"
kind = "mistral"
base_url = "{base_url}"
api_key = "k"
retention = "none"

[[models]]
name = "test-model"
provider = "fake"
routes = ["/v1/embeddings"]
"""


@pytest.fixture()
def database() -> Iterator[str]:
    require_postgres()
    name = create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        drop_postgres_database(name)


def environment(url: str, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ZEROKEEP_")}
    env.update(
        ZEROKEEP_DATABASE_URL=url,
        ZEROKEEP_JOBS_ENGINE="procrastinate",
        ZEROKEEP_SECRET_KEY=TEST_SECRET,
        ZEROKEEP_DATA_DIR=str(data_dir),
        ZEROKEEP_CONFIG=str(data_dir / "zerokeep.toml"),
    )
    return env


async def create_job(url: str, data_dir: Path) -> str:
    settings = Settings(data_dir=data_dir, database_url=url, secret_key=TEST_SECRET)
    keys = key_service_from_settings(settings, legacy_wrapping_key=load_keys(settings).key_wrapping)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine, jobs_engine="procrastinate")
        async with unit_of_work(sessions) as session:
            org = await organization_service.create(session, CLI, name="Worker", plan=Plan.SCALE)
            request = BatchJobCreate(
                endpoint="/v1/embeddings",
                model="test-model",
                requests=[BatchRequest(body={"input": [f"t{i}"]}) for i in range(LINES)],
            )
            caller = batch_service.Caller(org.id, None, "key_worker")
            job = await batch_service.create(session, keys, caller, request, SystemClock())
        return job.id
    finally:
        await engine.dispose()


async def wait_until_done(url: str, job_id: str, worker: subprocess.Popen[bytes]) -> BatchJob:
    engine = create_engine(url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    try:
        while True:
            async with read_only(session_factory(engine)) as session:
                job = await session.get(BatchJob, job_id)
            assert job is not None
            if job.completed_at is not None:
                return job
            assert worker.poll() is None, "the worker exited"
            assert loop.time() < deadline, f"the job is still {job.status}"
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([ZEROKEEP, "worker"], env=env, cwd=ROOT)


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


class TestWorker:
    async def test_a_worker_runs_the_lines_through_the_gateway(
        self, database: str, tmp_path: Path, fake_upstream: FakeUpstream
    ) -> None:
        (tmp_path / "zerokeep.toml").write_text(CONFIG.format(base_url=fake_upstream.base_url))
        env = environment(database, tmp_path)
        upgrade = await asyncio.to_thread(
            subprocess.run, [ZEROKEEP, "db", "upgrade"], env=env, capture_output=True, timeout=120
        )
        assert upgrade.returncode == 0, upgrade.stderr
        job_id = await create_job(database, tmp_path)
        before = fake_upstream.count("/v1/embeddings")
        worker = start_worker(env)
        try:
            job = await wait_until_done(database, job_id, worker)
        finally:
            await asyncio.to_thread(stop, worker)
        assert (job.status, job.succeeded_requests, job.failed_requests) == ("SUCCESS", LINES, 0)
        assert job.output_file is not None
        assert fake_upstream.count("/v1/embeddings") - before == LINES
