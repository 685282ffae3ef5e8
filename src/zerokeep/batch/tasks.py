"""The batch jobs: `batch.start`, `batch.run` (one chunk of lines), `batch.finish`."""

from __future__ import annotations

from zerokeep.batch import output, runner
from zerokeep.batch.service import FINISH_JOB, RUN_JOB, START_JOB
from zerokeep.jobs import JobContext, task


@task(START_JOB, transactional=False)
async def start(ctx: JobContext, job_id: str) -> None:
    await runner.start(ctx, job_id)


# Not transactional: each line commits its own outcome, so a crash loses no finished line.
@task(RUN_JOB, transactional=False, max_attempts=20)
async def run(ctx: JobContext, job_id: str, first: int, last: int) -> None:
    await runner.run_chunk(ctx, job_id, first, last)


@task(FINISH_JOB)
async def finish(ctx: JobContext, job_id: str) -> None:
    if ctx.state is None:
        raise runner.GatewayUnavailable()
    await output.finish(ctx, ctx.state.files, job_id)
