"""Procrastinate on PostgreSQL: `zerokeep db upgrade` applies its schema, a job is deferred in
the caller's transaction (dropped on rollback), `zerokeep worker` processes run it, and a
periodic task runs once per period with two workers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    postgres_url,
    require_postgres,
)
from tests.jobs import sample_tasks
from tests.jobs.conftest import TEST_SECRET
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.jobs import enqueue
from zerokeep.jobs.procrastinate_engine import COMPLETION_PREFIX, interval_to_cron
from zerokeep.models import Job

ROOT = Path(__file__).resolve().parents[2]
ZEROKEEP = str(Path(sys.executable).with_name("zerokeep"))


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
        ZEROKEEP_JOBS_TASK_MODULES=json.dumps(["tests.jobs.sample_tasks"]),
        ZEROKEEP_SECRET_KEY=TEST_SECRET,
        ZEROKEEP_DATA_DIR=str(data_dir),
        ZEROKEEP_CONFIG="",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture()
async def engine(database: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    upgrade = await asyncio.to_thread(
        subprocess.run,
        [ZEROKEEP, "db", "upgrade"],
        env=environment(database, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Procrastinate" in upgrade.stdout
    engine = create_engine(database)
    await sample_tasks.create_effects_table(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def start_worker(url: str, data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([ZEROKEEP, "worker"], env=environment(url, data_dir), cwd=ROOT)


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


async def effects(engine: AsyncEngine) -> list[str]:
    async with read_only(session_factory(engine)) as session:
        return await sample_tasks.effects(session)


async def wait_for(
    engine: AsyncEngine, done: Callable[[list[str]], bool], workers: list[subprocess.Popen[bytes]]
) -> list[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while True:
        found = await effects(engine)
        if done(found):
            return found
        for worker in workers:
            assert worker.poll() is None, "a worker exited"
        assert loop.time() < deadline, f"timed out with effects {found}"
        await asyncio.sleep(0.1)


class TestProcrastinate:
    async def test_worker_runs_a_job_deferred_in_the_transaction(
        self, engine: AsyncEngine, database: str, tmp_path: Path
    ) -> None:
        sessions = session_factory(engine, jobs_engine="procrastinate")
        with pytest.raises(ZeroDivisionError):
            async with unit_of_work(sessions) as session:
                await enqueue(session, "sample.mark", marker="rolled-back")
                raise ZeroDivisionError
        async with unit_of_work(sessions) as session:
            job_id = await enqueue(session, "sample.mark", marker="committed")
        async with engine.connect() as connection:
            queued = await connection.execute(
                text("SELECT task_name, args->>'marker' FROM procrastinate_jobs ORDER BY id")
            )
            assert [tuple(row) for row in queued] == [("sample.mark", "committed")]

        worker = start_worker(database, tmp_path)
        try:
            await wait_for(engine, lambda found: "committed" in found, [worker])
        finally:
            stop(worker)
        assert [e for e in await effects(engine) if not e.startswith("tick@")] == ["committed"]
        async with read_only(sessions) as session:
            completion = await session.get(Job, f"{COMPLETION_PREFIX}{job_id}")
        assert completion is not None and completion.status == "succeeded"

    async def test_a_periodic_task_runs_once_per_period_with_two_workers(
        self, engine: AsyncEngine, database: str, tmp_path: Path
    ) -> None:
        workers = [start_worker(database, tmp_path) for _ in range(2)]
        try:
            ticks_seen = await wait_for(
                engine, lambda found: sum(e.startswith("tick@") for e in found) >= 4, workers
            )
        finally:
            for worker in workers:
                stop(worker)
        ticks = [effect for effect in await effects(engine) if effect.startswith("tick@")]
        assert len(ticks) >= len([e for e in ticks_seen if e.startswith("tick@")])
        assert len(ticks) == len(set(ticks)), "a period ran twice"


class TestCron:
    @pytest.mark.parametrize(
        ("seconds", "cron"),
        [(1, "* * * * * */1"), (2, "* * * * * */2"), (60, "*/1 * * * *"), (3600, "0 */1 * * *")],
    )
    def test_interval_to_cron(self, seconds: float, cron: str) -> None:
        assert interval_to_cron(seconds) == cron
