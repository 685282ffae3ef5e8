"""The lifecycle's jobs: purge one deletion when its grace period ends (`lifecycle.purge`,
queued by the delete in the same transaction), and a periodic sweep (`lifecycle.sweep`) that
deletes expired files and catches any purge that is due (after a hold was lifted, say)."""

from __future__ import annotations

from zerokeep.blobs import blob_store_from_settings
from zerokeep.jobs import JobContext, enqueue, periodic, task
from zerokeep.lifecycle import repository
from zerokeep.lifecycle.kinds import Purger
from zerokeep.lifecycle.purge import (
    PURGE_JOB,
    SWEEP_JOB,
    PurgeOutcome,
    purge_due,
    purge_one,
    purger_for,
)
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.observability.events import JobCompleted, log_event
from zerokeep.secret import load_keys


def _purger(ctx: JobContext) -> tuple[Purger, bool]:
    """The serving process's purger, or (in a `zerokeep worker`) one of the job's own."""
    state = ctx.environment.state
    if state is not None:
        return purger_for(state), False
    settings = ctx.environment.settings
    storage = FileStorage(blob_store_from_settings(settings), ctx.environment.keys)
    return Purger(storage, ctx.clock, load_keys(settings).report_signing_seed), True


@task(PURGE_JOB)
async def purge_deletion(ctx: JobContext, deletion_id: str) -> None:
    purger, owns_store = _purger(ctx)
    try:
        outcome = await purge_one(ctx.session, purger, deletion_id)
        if outcome is PurgeOutcome.NOT_DUE:
            deletion = await repository.lock(ctx.session, deletion_id)
            if deletion is not None:
                await enqueue(
                    ctx.session, PURGE_JOB, run_at=deletion.purge_after, deletion_id=deletion_id
                )
        # HELD: nothing to do; lifting the hold queues the purge again.
    finally:
        if owns_store:
            await purger.storage.blobs.aclose()


@periodic(SWEEP_JOB, every=lambda settings: settings.lifecycle_sweep_interval_seconds)
async def sweep(ctx: JobContext) -> None:
    purger, owns_store = _purger(ctx)
    try:
        purged = await purge_due(ctx.sessions, purger)
    finally:
        if owns_store:
            await purger.storage.blobs.aclose()
    if purged:
        log_event(JobCompleted(job=SWEEP_JOB, count=purged))
