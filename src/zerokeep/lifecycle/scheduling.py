"""When a deletion's purge runs: a `lifecycle.purge` job at `purge_after`, queued in the same
transaction as the delete (dropped if it rolls back), plus the periodic `lifecycle.sweep` as a
safety net. The job is idempotent: a purge that finds nothing pending does nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.jobs import enqueue

PURGE_JOB = "lifecycle.purge"


async def schedule(session: AsyncSession, deletion_id: str, run_at: datetime) -> None:
    """Queue the purge of `deletion_id` for `run_at` (effective when this unit of work commits)."""
    await enqueue(session, PURGE_JOB, run_at=run_at, deletion_id=deletion_id)
