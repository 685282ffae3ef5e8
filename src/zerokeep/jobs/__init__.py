"""The job layer: named, idempotent background tasks that carry ids (never content), queued in
the transaction that caused them and run after it commits.

A domain declares its tasks in its `tasks.py` (listed in `registry.TASK_MODULES`):

    from zerokeep.jobs import JobContext, enqueue, periodic, task

    @task("files.purge")
    async def purge_file(ctx: JobContext, file_id: str) -> None:
        file = await files_repository.get_deleted(ctx.session, file_id)
        if file is None:          # idempotent: already purged by an earlier run
            return
        ...                       # effects in ctx.session commit together with the job's success

    @periodic("lifecycle.expire", every=60)
    async def expire(ctx: JobContext) -> None: ...

and queues work from a service, in the caller's unit of work:

    await enqueue(session, "files.purge", delay=timedelta(days=7), file_id=file.id)

Dropped on rollback, durable on commit. Where jobs run is a setting (`ZEROKEEP_JOBS_ENGINE`):
`embedded` (default) runs them inside `zerokeep serve` over the `jobs` table (SQLite or
PostgreSQL); `procrastinate` (PostgreSQL only) leaves them to `zerokeep worker` processes.
Guarantees, retries and leases: docs/jobs.md.
"""

from zerokeep.jobs.context import JobContext, JobEnvironment
from zerokeep.jobs.enqueue import enqueue
from zerokeep.jobs.registry import Registry, Task, load_registry, periodic, task

__all__ = [
    "JobContext",
    "JobEnvironment",
    "Registry",
    "Task",
    "enqueue",
    "load_registry",
    "periodic",
    "task",
]
