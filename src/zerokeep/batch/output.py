"""Finishing a batch job: its lines become the output and error files (Files API objects of
purpose batch, owned by the organization, under the lifecycle), then the lines go.

Runs as one transaction (`batch.finish` is transactional): the files, the counters and the
final status commit together, or a re-run starts over (a re-run after a crash may leave an
orphan blob of the lost attempt, with its key never committed: unreadable).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.batch import repository
from zerokeep.batch.schemas import BatchStatus
from zerokeep.batch.service import line_aad
from zerokeep.files.checks import JSONL_MIMETYPE
from zerokeep.files.schemas import FilePurpose, SampleType, Source, Visibility
from zerokeep.files.service import blob_name
from zerokeep.jobs import JobContext
from zerokeep.kit.crypto import open_sealed
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.models import BatchJob, StoredFile

PAGE = 500


async def finish(ctx: JobContext, storage: FileStorage, job_id: str) -> None:
    session = ctx.session
    job = await repository.lock(session, job_id)
    if job is None or job.completed_at is not None or job.status == BatchStatus.QUEUED:
        return
    now = ctx.clock.now()
    timed_out = now >= _deadline(job)
    cancelled = job.status == BatchStatus.CANCELLATION_REQUESTED
    is_running = job.status == BatchStatus.RUNNING and not timed_out
    if is_running and await repository.has_pending(session, job.id):
        return  # another chunk is still running; its end queues the finish again
    key = await ctx.keys.open_data_key(session, job.encryption_key_id)
    succeeded = await _write(ctx, storage, session, job, key, repository.SUCCEEDED)
    failed = await _write(ctx, storage, session, job, key, repository.FAILED)
    job.output_file, job.succeeded_requests = succeeded
    job.error_file, job.failed_requests = failed
    if cancelled:
        job.status = BatchStatus.CANCELLED.value
    elif timed_out and job.succeeded_requests + job.failed_requests < job.total_requests:
        job.status = BatchStatus.TIMEOUT_EXCEEDED.value
    elif job.total_requests and not job.succeeded_requests:
        job.status = BatchStatus.FAILED.value
    else:
        job.status = BatchStatus.SUCCESS.value
    job.completed_at = now
    await repository.drop_lines(session, job.id)
    await session.flush()


def _deadline(job: BatchJob) -> datetime:
    return job.created_at + timedelta(hours=job.timeout_hours)


async def _write(
    ctx: JobContext,
    storage: FileStorage,
    session: AsyncSession,
    job: BatchJob,
    key: bytes,
    status: str,
) -> tuple[str | None, int]:
    """Stream the lines with `status` into a new file; (file id or None if none, count)."""
    count = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal count
        after = -1
        while True:
            rows = await repository.finished_lines(session, job.id, status, after, PAGE)
            if not rows:
                return
            parts = []
            for line, sealed in rows:
                parts.append(open_sealed(key, sealed, line_aad(job.id, line)) + b"\n")
                after = line
            count += len(rows)
            yield b"".join(parts)

    file_id = str(uuid.uuid4())
    name = blob_name(job.organization_id, file_id)
    key_id, file_key = await storage.new_key(session, job.organization_id, file_id)
    size = await storage.blobs.put(name, chunks(), file_key)
    if count == 0:
        await storage.destroy(session, key_id, name)
        return None, 0
    is_output = status == repository.SUCCEEDED
    session.add(
        StoredFile(
            id=file_id,
            organization_id=job.organization_id,
            created_by_user_id=job.created_by_user_id,
            filename=f"batch_{job.id}_{'output' if is_output else 'error'}.jsonl",
            purpose=FilePurpose.BATCH.value,
            sample_type=(SampleType.BATCH_RESULT if is_output else SampleType.BATCH_ERROR).value,
            source=Source.MISTRAL.value,
            visibility=Visibility.WORKSPACE.value,
            mimetype=JSONL_MIMETYPE,
            size_bytes=size,
            num_lines=count,
            blob_name=name,
            encryption_key_id=key_id,
            created_at=ctx.clock.now(),
        )
    )
    return file_id, count
