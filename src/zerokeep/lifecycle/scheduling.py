"""When a deletion's purge runs: a job at `purge_after`, plus a periodic sweep as a safety net.

Until the job layer lands, the sweep alone runs purges (`purge.purge_due`, from the app's
background loop and `zerokeep deleted purge-due`); `schedule` is the one place that changes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


async def schedule(session: AsyncSession, deletion_id: str, run_at: datetime) -> None:
    """Arrange for the purge of `deletion_id` at `run_at` (after this unit of work commits)."""
    del session, deletion_id, run_at  # the sweep finds due deletions by `purge_after`
