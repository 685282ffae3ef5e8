"""Tasks the job tests run (loaded by tests and, through ZEROKEEP_JOBS_TASK_MODULES, by
`zerokeep worker` subprocesses). Effects are rows of `job_effects`, a table the tests create."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from zerokeep.db import unit_of_work
from zerokeep.jobs import JobContext, periodic, task

EFFECTS_TABLE = "CREATE TABLE IF NOT EXISTS job_effects (marker VARCHAR(200) NOT NULL)"
# Set in a runner process that must stop mid-job: the handler writes its effect, touches
# this file, and waits forever (the test then kills the process with SIGKILL).
HANG_MARKER_ENV = "ZEROKEEP_TEST_HANG_MARKER"


class Flaky(Exception):
    """A failure the handler chose; its message would be content, its class name is not."""


async def create_effects_table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(EFFECTS_TABLE))


async def effects(session: AsyncSession) -> list[str]:
    rows = await session.execute(text("SELECT marker FROM job_effects ORDER BY marker"))
    return [str(row[0]) for row in rows]


async def _record(session: AsyncSession, marker: str) -> None:
    await session.execute(text("INSERT INTO job_effects (marker) VALUES (:m)"), {"m": marker})


@task("sample.mark")
async def mark(ctx: JobContext, marker: str) -> None:
    await _record(ctx.session, marker)
    await ctx.session.flush()
    hang_marker = os.environ.get(HANG_MARKER_ENV)
    if hang_marker and ctx.attempt == 1:
        await asyncio.to_thread(Path(hang_marker).touch)
        await asyncio.Event().wait()


@task("sample.fail", max_attempts=3)
async def fail(ctx: JobContext, marker: str) -> None:
    await _record(ctx.session, marker)  # rolled back with the failure
    raise Flaky("secret prompt text that must not be stored")


@task("sample.outside", transactional=False)
async def outside(ctx: JobContext, marker: str) -> None:
    async with unit_of_work(ctx.sessions) as session:
        await _record(session, marker)


@periodic("sample.tick", every=1.0)
async def tick(ctx: JobContext) -> None:
    async with unit_of_work(ctx.sessions) as session:
        assert ctx.scheduled_for is not None
        await _record(session, f"tick@{int(ctx.scheduled_for.timestamp())}")


@task("sample.long", transactional=False)
async def long_running(ctx: JobContext) -> None:
    """Runs until the runner has extended its lease once (the test's clock is frozen: move it)."""
    from zerokeep.kit.clock import FrozenClock
    from zerokeep.models import Job

    async def locked_until() -> object:
        async with unit_of_work(ctx.sessions) as session:
            job = await session.get(Job, ctx.job_id)
            assert job is not None
            return job.locked_until

    first = await locked_until()
    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(seconds=1)
    async with asyncio.timeout(10):
        while True:
            if await locked_until() != first:
                break
            await asyncio.sleep(0.01)
    await _record_outside(ctx, "extended")


async def _record_outside(ctx: JobContext, marker: str) -> None:
    async with unit_of_work(ctx.sessions) as session:
        await _record(session, marker)
