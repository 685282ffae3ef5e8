"""The embedded engine: a polling runner over the `jobs` table, inside `zerokeep serve`.

    runner = EmbeddedRunner(load_registry(), environment)
    await runner.run_until_idle()   # tests and one-shot commands: run what is due, then return
    await runner.run_forever()      # the lifespan's background task; `wake()` after a commit

A job is claimed under a lease (locked_by, locked_until) in one short transaction. A
transactional task then runs in a second transaction that first re-checks the lease (and on
PostgreSQL locks the row, so no other runner can claim it while the effects are uncommitted)
and records the job's success in that same transaction. If the process dies (`kill -9`), the
transaction is lost with its effects, and the job is claimed again once its lease expires.
Failures are retried with exponential backoff until max_attempts, then the job is failed with
the exception's class name only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.db import read_only, unit_of_work
from zerokeep.jobs.context import JobContext, JobEnvironment
from zerokeep.jobs.registry import Registry, Task, UnknownTask
from zerokeep.jobs.status import FAILED, QUEUED, RUNNING, SUCCEEDED
from zerokeep.kit.ids import new_id
from zerokeep.models import Job
from zerokeep.observability.events import JobCompleted, JobFailed, log_event

DEFAULT_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 3600.0
POLL_INTERVAL_SECONDS = 1.0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 10 s, 20 s, 40 s ... up to 1 h."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: str
    name: str
    args: dict[str, object]
    attempt: int
    run_at: datetime | None


class LeaseLost(Exception):
    """Another runner holds the job now (ours expired): our run must not record anything."""


class EmbeddedRunner:
    def __init__(
        self,
        registry: Registry,
        environment: JobEnvironment,
        *,
        lease: timedelta = DEFAULT_LEASE,
        name: str | None = None,
    ) -> None:
        self.registry = registry
        self.environment = environment
        self.lease = lease
        self.name = name or worker_id()
        self._wake = asyncio.Event()
        self._scheduled: dict[str, int] = {}  # the last period queued by this runner, per task

    @property
    def _is_postgres(self) -> bool:
        return self.environment.engine.dialect.name == "postgresql"

    def wake(self) -> None:
        """Run due jobs now instead of at the next poll (an after-commit hook of enqueue)."""
        self._wake.set()

    async def run_forever(self, poll_interval: float = POLL_INTERVAL_SECONDS) -> None:
        while True:
            self._wake.clear()  # before the run: a commit during it wakes the next one at once
            try:
                await self.schedule_periodic()
                await self.run_until_idle()
            except Exception as error:  # noqa: BLE001 - a process edge: log the type, poll again
                log_event(JobFailed(job="jobs.runner", error=type(error).__name__))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_interval)

    async def run_until_idle(self, max_jobs: int = 1000) -> int:
        """Run due jobs one after another until none is due; returns how many ran."""
        ran = 0
        while ran < max_jobs and await self.run_one():
            ran += 1
        return ran

    async def run_one(self) -> bool:
        """Claim and run one due job; False when none is due."""
        claimed = await self._claim()
        if claimed is None:
            return False
        try:
            declared = self.registry.get(claimed.name)
        except UnknownTask as error:
            await self._record_failure(claimed, error, max_attempts=claimed.attempt)
            return True
        try:
            await self._execute(declared, claimed)
        except LeaseLost:
            return True
        except Exception as error:  # noqa: BLE001 - a job edge: record the type, retry later
            await self._record_failure(claimed, error)
            return True
        log_event(JobCompleted(job=claimed.name, count=1))
        return True

    async def schedule_periodic(self) -> int:
        """Queue this period's run of every periodic task, once across all processes (the
        dedup key is the task and the period's number); returns how many were new."""
        now = self.environment.clock.now()
        new_periods: list[tuple[Task, int, float]] = []
        for declared in self.registry.periodic():
            seconds = declared.interval_seconds(self.environment.settings)
            assert seconds is not None and seconds > 0
            slot = int(now.timestamp() // seconds)
            if self._scheduled.get(declared.name) != slot:
                new_periods.append((declared, slot, seconds))
        if not new_periods:
            return 0  # no write transaction (on SQLite, no write lock) every poll
        created = 0
        async with unit_of_work(self.environment.sessions) as session:
            for declared, slot, seconds in new_periods:
                created += await self._insert_once(session, declared, slot, seconds, now)
        for declared, slot, _ in new_periods:
            self._scheduled[declared.name] = slot
        return created

    async def _insert_once(
        self, session: AsyncSession, declared: Task, slot: int, seconds: float, now: datetime
    ) -> int:
        values = {
            "id": new_id("job"),
            "name": declared.name,
            "args": {},
            "status": QUEUED,
            "attempts": 0,
            "max_attempts": declared.max_attempts,
            "run_at": datetime.fromtimestamp(slot * seconds, UTC),
            "dedup_key": f"{declared.name}@{slot}",
            "created_at": now,
        }
        insert = pg_insert if self._is_postgres else sqlite_insert
        statement = insert(Job).values(**values).on_conflict_do_nothing()
        result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def _claim(self) -> Claim | None:
        now = self.environment.clock.now()
        due = or_(
            and_(Job.status == QUEUED, Job.run_at <= now),
            and_(Job.status == RUNNING, Job.locked_until <= now),
        )
        query = select(Job).where(due).order_by(Job.run_at).limit(1)
        if self._is_postgres:
            query = query.with_for_update(skip_locked=True)
        else:
            # A read first: an idle poll must not take SQLite's write lock.
            async with read_only(self.environment.sessions) as session:
                if (await session.execute(select(Job.id).where(due).limit(1))).first() is None:
                    return None
        async with unit_of_work(self.environment.sessions) as session:
            while True:
                job = (await session.execute(query)).scalar_one_or_none()
                if job is None:
                    return None
                if job.status == RUNNING and job.attempts >= job.max_attempts:
                    # Its last runner died mid-job as many times as it may try: a job that
                    # kills its process must not take every runner down in turn.
                    _finish(job, FAILED, now, error="LeaseExpired")
                    log_event(JobFailed(job=job.name, error="LeaseExpired"))
                    await session.flush()
                    continue
                job.status = RUNNING
                job.attempts += 1
                job.locked_by = self.name
                job.locked_until = now + self.lease
                return Claim(job.id, job.name, dict(job.args), job.attempts, job.run_at)

    async def _execute(self, declared: Task, claimed: Claim) -> None:
        environment = self.environment
        job_id, attempt, due = claimed.job_id, claimed.attempt, claimed.run_at
        if not declared.transactional:
            context = JobContext(job_id, declared.name, attempt, environment, scheduled_for=due)
            heartbeat = asyncio.create_task(self._keep_lease(job_id))
            try:
                await declared(context, **claimed.args)
            finally:
                heartbeat.cancel()
            async with unit_of_work(environment.sessions) as session:
                job = await self._held(session, job_id)
                _finish(job, SUCCEEDED, environment.clock.now())
            return
        async with unit_of_work(environment.sessions) as session:
            job = await self._held(session, job_id)
            context = JobContext(job_id, declared.name, attempt, environment, session, due)
            await declared(context, **claimed.args)
            await session.flush()
            _finish(job, SUCCEEDED, environment.clock.now())

    async def _keep_lease(self, job_id: str) -> None:
        """Extend the lease of a running non-transactional job every third of a lease, so a
        long run (an SMTP server timing out) is not claimed again while it is alive. A
        transactional job needs none: its open transaction holds the row (or SQLite's lock)."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            async with unit_of_work(self.environment.sessions) as session:
                job = await self._held(session, job_id)
                job.locked_until = self.environment.clock.now() + self.lease

    async def _held(self, session: AsyncSession, job_id: str) -> Job:
        query = select(Job).where(
            Job.id == job_id, Job.status == RUNNING, Job.locked_by == self.name
        )
        if self._is_postgres:
            query = query.with_for_update()
        job = (await session.execute(query)).scalar_one_or_none()
        if job is None:
            raise LeaseLost(job_id)
        return job

    async def _record_failure(
        self, claimed: Claim, error: BaseException, *, max_attempts: int | None = None
    ) -> None:
        job_id, attempt = claimed.job_id, claimed.attempt
        kind = type(error).__name__  # the class only: a message may quote content
        now = self.environment.clock.now()
        async with unit_of_work(self.environment.sessions) as session:
            try:
                job = await self._held(session, job_id)
            except LeaseLost:
                return
            limit = max_attempts if max_attempts is not None else job.max_attempts
            if attempt >= limit:
                _finish(job, FAILED, now, error=kind)
            else:
                job.status = QUEUED
                job.run_at = now + backoff(attempt)
                job.locked_by = None
                job.locked_until = None
                job.last_error = kind
        log_event(JobFailed(job=claimed.name, error=kind))


def _finish(job: Job, status: str, now: datetime, *, error: str | None = None) -> None:
    job.status = status
    job.finished_at = now
    job.locked_by = None
    job.locked_until = None
    job.last_error = error
