"""The scale-out engine: Procrastinate on PostgreSQL, run by `zerokeep worker` processes.

    app = build_app(load_registry(), environment)     # every zerokeep task, as Procrastinate's
    async with app.open_async():
        await app.run_worker_async(concurrency=4)

Jobs are deferred in the caller's transaction (`defer_in_transaction`, Procrastinate's own SQL
function on the SQLAlchemy connection), so a rollback drops them like on the embedded engine.
Periodic tasks become Procrastinate periodic tasks (a six-field cron with seconds), which run
once per period across every worker. A transactional task records its completion in the `jobs`
table inside its own transaction, so a re-run after a crash between that commit and
Procrastinate's "done" does not repeat its effects.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, cast

import orjson
import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from zerokeep.db import unit_of_work
from zerokeep.jobs.context import JobContext, JobEnvironment
from zerokeep.jobs.embedded import BACKOFF_BASE_SECONDS, Claim
from zerokeep.jobs.registry import Registry, Task
from zerokeep.jobs.status import SUCCEEDED
from zerokeep.models import Job

QUEUE = "zerokeep"
COMPLETION_PREFIX = "procrastinate:"
STALLED_CHECK_CRON = "*/1 * * * *"
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, NULL::text, NULL::text, "
    "CAST(:args AS jsonb), CAST(:scheduled_at AS timestamptz)"
    ")::procrastinate_job_to_defer_v1])) AS id"
)


def conninfo(database_url: str) -> str:
    """psycopg's connection string for the SQLAlchemy URL (which names the asyncpg driver)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def defer_in_transaction(
    session: AsyncSession, name: str, args: dict[str, Any], run_at: datetime
) -> str:
    """Insert a Procrastinate job through the session's connection: same transaction."""
    result = await session.execute(
        _DEFER,
        {"queue": QUEUE, "task": name, "args": orjson.dumps(args).decode(), "scheduled_at": run_at},
    )
    return str(result.scalar_one())


def interval_to_cron(seconds: float) -> str:
    """A six-field cron (seconds last) close to an interval: */N seconds below a minute, else
    */N minutes (or hours)."""
    if seconds < 60:
        step = max(1, math.ceil(seconds))
        return f"* * * * * */{step}"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{max(1, round(minutes / 60))} * * *"


def build_app(registry: Registry, environment: JobEnvironment) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo(environment.settings.resolved_database_url)
        )
    )
    for declared in registry:
        _register(app, declared, environment)
    _register_stalled_job_check(app)
    return app


def _register(app: procrastinate.App, declared: Task, environment: JobEnvironment) -> None:
    retry = procrastinate.RetryStrategy(
        max_attempts=declared.max_attempts - 1,  # Procrastinate counts retries, we count runs
        exponential_wait=int(BACKOFF_BASE_SECONDS),
    )

    async def run(context: procrastinate.JobContext, /, **args: Any) -> None:
        timestamp = args.pop("timestamp", None)  # a periodic run's period
        due = (
            datetime.fromtimestamp(timestamp, UTC)
            if isinstance(timestamp, int)
            else context.job.scheduled_at
        )
        assert context.job.id is not None
        claim = Claim(str(context.job.id), declared.name, args, context.job.attempts + 1, due)
        await _run(declared, environment, claim)

    task = app.task(name=declared.name, queue=QUEUE, pass_context=True, retry=retry)(run)
    seconds = declared.interval_seconds(environment.settings)
    if seconds is not None:
        # Procrastinate's typing wants a `timestamp` parameter: `run` takes it in **args.
        app.periodic(cron=interval_to_cron(seconds), periodic_id=declared.name)(cast(Any, task))


async def _run(declared: Task, environment: JobEnvironment, claim: Claim) -> None:
    attempt, due = claim.attempt, claim.run_at
    if not declared.transactional:
        context = JobContext(claim.job_id, declared.name, attempt, environment, scheduled_for=due)
        await declared(context, **claim.args)
        return
    key = f"{COMPLETION_PREFIX}{claim.job_id}"
    async with unit_of_work(environment.sessions) as session:
        if await session.get(Job, key) is not None:
            return  # its effects committed already; Procrastinate did not hear it finish
        context = JobContext(key, declared.name, attempt, environment, session, due)
        await declared(context, **claim.args)
        now = environment.clock.now()
        session.add(
            Job(
                id=key,
                name=declared.name,
                args={},
                status=SUCCEEDED,
                attempts=attempt,
                max_attempts=declared.max_attempts,
                run_at=now,
                created_at=now,
                finished_at=now,
            )
        )


def _register_stalled_job_check(app: procrastinate.App) -> None:
    """A job whose worker died (no heartbeat) is retried: Procrastinate leaves that to us."""

    @app.periodic(cron=STALLED_CHECK_CRON, periodic_id="jobs.retry_stalled")
    @app.task(name="jobs.retry_stalled", queue=QUEUE, queueing_lock="jobs.retry_stalled")
    async def retry_stalled(timestamp: int) -> None:
        for job in await app.job_manager.get_stalled_jobs():
            await app.job_manager.retry_job(job)


async def schema_exists(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        found = await connection.execute(text("SELECT to_regclass('procrastinate_jobs')"))
        return found.scalar_one() is not None


async def apply_schema(engine: AsyncEngine) -> bool:
    """Create Procrastinate's tables and functions once (`zerokeep db upgrade`); True if it
    did. Its later schema changes ship as Procrastinate migrations: see docs/jobs.md."""
    if await schema_exists(engine):
        return False
    url = engine.url.render_as_string(hide_password=False)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
    return True
