"""The `archive.purge` job: delete expired archive records and destroy unused archive keys."""

from __future__ import annotations

from zerokeep.archive.purge import JOB_NAME, purge_expired
from zerokeep.jobs import JobContext, periodic
from zerokeep.observability.events import JobCompleted, log_event


@periodic(JOB_NAME, every=lambda settings: settings.archive_purge_interval_seconds)
async def purge_archive(ctx: JobContext) -> None:
    """Purge what expired; the keyring is this process's, so a key it cached is forgotten here
    (other processes forget a destroyed key when issue 11's broadcast lands)."""
    purged = await purge_expired(ctx.engine, ctx.sessions, ctx.clock, keyring=ctx.keyring)
    if purged:
        log_event(JobCompleted(job=JOB_NAME, count=purged))
