"""Job-layer fixtures: a migrated database (SQLite and PostgreSQL) with a `job_effects` table,
a frozen clock, and runners over the sample tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.jobs import sample_tasks
from zerokeep.config import Settings
from zerokeep.db import create_engine, read_only, session_factory
from zerokeep.jobs import JobEnvironment, Registry, load_registry
from zerokeep.jobs.embedded import EmbeddedRunner
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import FrozenClock
from zerokeep.models import Job
from zerokeep.secret import load_keys

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEST_SECRET = "test-secret-" + "x" * 40


def job_settings(data_dir: Path, database_url: str, **extra: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=TEST_SECRET,
        **extra,  # type: ignore[arg-type]
    )


def sample_registry() -> Registry:
    return load_registry(("zerokeep.jobs.tasks", "tests.jobs.sample_tasks"))


@dataclass
class JobWorld:
    """One migrated database, a frozen clock, and a way to make runners on it."""

    url: str
    settings: Settings
    engine: AsyncEngine
    clock: FrozenClock
    sessions: async_sessionmaker[AsyncSession]
    hooks: dict[str, Callable[[], None]]

    def environment(self) -> JobEnvironment:
        keys = key_service_from_settings(
            self.settings, legacy_wrapping_key=load_keys(self.settings).key_wrapping
        )
        return JobEnvironment(self.settings, self.clock, self.engine, self.sessions, keys)

    def runner(
        self, name: str = "runner-a", lease: timedelta = timedelta(minutes=5)
    ) -> EmbeddedRunner:
        return EmbeddedRunner(sample_registry(), self.environment(), lease=lease, name=name)

    async def job(self, job_id: str) -> Job:
        async with read_only(self.sessions) as session:
            return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()

    async def jobs(self) -> list[Job]:
        async with read_only(self.sessions) as session:
            return list((await session.execute(select(Job).order_by(Job.created_at))).scalars())

    async def effects(self) -> list[str]:
        async with read_only(self.sessions) as session:
            return await sample_tasks.effects(session)


@pytest.fixture()
async def world(migrated_database_url: str, tmp_path: Path) -> AsyncIterator[JobWorld]:
    engine = create_engine(migrated_database_url)
    await sample_tasks.create_effects_table(engine)
    clock = FrozenClock(START)
    hooks: dict[str, Callable[[], None]] = {}
    sessions = session_factory(engine, hooks=hooks, clock=clock)
    settings = job_settings(tmp_path, migrated_database_url)
    try:
        yield JobWorld(migrated_database_url, settings, engine, clock, sessions, hooks)
    finally:
        await engine.dispose()
