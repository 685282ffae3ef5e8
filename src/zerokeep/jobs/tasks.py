"""The job layer's own periodic task: `jobs.prune` deletes finished embedded jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_

from zerokeep.db import unit_of_work
from zerokeep.jobs.context import JobContext
from zerokeep.jobs.registry import periodic
from zerokeep.jobs.status import FAILED, SUCCEEDED
from zerokeep.models import Job

KEEP_SUCCEEDED = timedelta(days=1)
KEEP_FAILED = timedelta(days=30)
PRUNE_EVERY_SECONDS = 3600.0


@periodic("jobs.prune", every=PRUNE_EVERY_SECONDS)
async def prune(ctx: JobContext) -> None:
    """Succeeded jobs are kept a day, failed ones a month (for an operator to look at)."""
    now = ctx.clock.now()
    async with unit_of_work(ctx.sessions) as session:
        await session.execute(
            delete(Job).where(
                or_(
                    and_(Job.status == SUCCEEDED, Job.finished_at < now - KEEP_SUCCEEDED),
                    and_(Job.status == FAILED, Job.finished_at < now - KEEP_FAILED),
                )
            )
        )
