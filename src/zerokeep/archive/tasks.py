"""The `archive.purge` job: delete expired archive records and destroy unused archive keys."""

from __future__ import annotations

from zerokeep.archive.purge import JOB_NAME, purge_expired
from zerokeep.jobs import JobContext, periodic
from zerokeep.observability.events import JobCompleted, log_event


@periodic(JOB_NAME, every=lambda settings: settings.archive_purge_interval_seconds)
async def purge_archive(ctx: JobContext) -> None:
    """Purge what expired and destroy the archive keys no record uses any more (a destroyed key
    is forgotten by this process's key service; other processes: see docs/jobs.md)."""
    purged = await purge_expired(ctx.engine, ctx.sessions, ctx.clock, keys=ctx.keys)
    if purged:
        log_event(JobCompleted(job=JOB_NAME, count=purged))
