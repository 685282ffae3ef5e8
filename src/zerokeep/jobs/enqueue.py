"""`enqueue`: queue a job in the caller's unit of work, so it exists only if that commits.

    await enqueue(session, "files.purge", file_id=file.id)
    await enqueue(session, "files.purge", delay=timedelta(days=7), file_id=file.id)

Arguments are ids and small scalars (never content: a job row is not one of the two doors).
On the embedded engine the job is a row of `jobs` inserted in the same transaction; the
runner is woken after the commit. With Procrastinate the job is deferred through its SQL
function on the same connection, in the same transaction.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.db import jobs_engine, run_hook_after_commit, session_clock
from zerokeep.jobs.registry import DEFAULT_MAX_ATTEMPTS
from zerokeep.jobs.status import QUEUED
from zerokeep.kit.ids import new_id
from zerokeep.models import Job

JobArg = str | int | float | bool | None
JOBS_WAKE = "jobs_wake"
ENGINE_PROCRASTINATE = "procrastinate"

MAX_ARG_CHARS = 200
_ARG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


async def enqueue(
    session: AsyncSession,
    name: str,
    *,
    run_at: datetime | None = None,
    delay: timedelta | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    **args: JobArg,
) -> str:
    """Queue `name` with `args` in `session`'s transaction; returns the job id. It runs at
    `run_at` (or after `delay`, or as soon as possible) once the transaction commits."""
    check_args(args)
    now = session_clock(session).now()
    due = run_at or (now + delay if delay is not None else now)
    if jobs_engine(session) == ENGINE_PROCRASTINATE:
        from zerokeep.jobs.procrastinate_engine import defer_in_transaction

        return await defer_in_transaction(session, name, args, due)
    job = Job(
        id=new_id("job"),
        name=name,
        args=dict(args),
        status=QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_at=due,
        created_at=now,
    )
    session.add(job)
    await session.flush()
    run_hook_after_commit(session, JOBS_WAKE)
    return job.id


def check_args(args: dict[str, JobArg]) -> None:
    """Ids and small scalars only: a long string is more likely content than an id."""
    for key, value in args.items():
        if not _ARG_NAME.match(key):
            raise ValueError(f"job argument names are snake_case identifiers, not {key!r}")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise TypeError(f"job argument {key} must be an id or a scalar")
        if isinstance(value, str) and len(value) > MAX_ARG_CHARS:
            raise ValueError(f"job argument {key} is longer than an id ({MAX_ARG_CHARS} chars)")
