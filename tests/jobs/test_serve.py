"""Inside `zerokeep serve` (the app's lifespan) the embedded runner runs a job right after the
commit that queued it; with the Procrastinate engine, serve runs none."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    gateway_settings,
    postgres_url,
    require_postgres,
)
from tests.fakes import FakeUpstream
from tests.jobs import sample_tasks
from zerokeep.app import create_app
from zerokeep.db import create_engine, jobs_engine, read_only, unit_of_work
from zerokeep.jobs import enqueue
from zerokeep.jobs.enqueue import JOBS_WAKE
from zerokeep.migrations import runner
from zerokeep.state import AppState


async def migrate(url: str) -> None:
    engine = create_engine(url)
    await runner.upgrade(engine)
    await sample_tasks.create_effects_table(engine)
    await engine.dispose()


class TestServe:
    async def test_the_lifespan_runs_a_job_after_its_commit(
        self, empty_database_url: str, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        await migrate(empty_database_url)
        settings = gateway_settings(
            tmp_path,
            empty_database_url,
            fake_upstream,
            jobs_task_modules=["tests.jobs.sample_tasks"],
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            state: AppState = app.state.zerokeep
            assert JOBS_WAKE in state.hooks
            async with unit_of_work(state.sessions) as session:
                await enqueue(session, "sample.mark", marker="served")
            async with asyncio.timeout(30):
                while True:
                    async with read_only(state.sessions) as session:
                        if "served" in await sample_tasks.effects(session):
                            break
                    await asyncio.sleep(0.02)

    async def test_with_procrastinate_serve_runs_no_jobs(
        self, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        require_postgres()
        name = await asyncio.to_thread(create_postgres_database)
        try:
            url = postgres_url(name)
            await migrate(url)
            settings = gateway_settings(tmp_path, url, fake_upstream, jobs_engine="procrastinate")
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                state: AppState = app.state.zerokeep
                assert JOBS_WAKE not in state.hooks
                async with read_only(state.sessions) as session:
                    assert jobs_engine(session) == "procrastinate"
        finally:
            await asyncio.to_thread(drop_postgres_database, name)
