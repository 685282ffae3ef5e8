"""Rules of the Batch API: create, list, get, cancel, delete. Running is in batch/runner.py.

job = await batch_service.create(session, keys, caller, BatchJobCreate(...), clock)
await batch_service.cancel(session, caller, job.id)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import Actor
from zerokeep.batch import repository
from zerokeep.batch.schemas import (
    ACTIVE_STATUSES,
    BATCH_ENDPOINTS,
    BatchJobCreate,
    BatchJobObject,
    BatchStatus,
)
from zerokeep.errors import InvalidRequest
from zerokeep.files import repository as files_repository
from zerokeep.files.schemas import FilePurpose
from zerokeep.jobs import enqueue
from zerokeep.keys import KeyService
from zerokeep.kit.clock import Clock
from zerokeep.kit.crypto import seal
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.lifecycle.kinds import ObjectKind
from zerokeep.models import BatchJob, BatchLine, Deletion
from zerokeep.organization import service as organization_service
from zerokeep.retention.catalogue import Route

START_JOB = "batch.start"
RUN_JOB = "batch.run"
FINISH_JOB = "batch.finish"


@dataclass(frozen=True, slots=True)
class Caller:
    organization_id: str
    user_id: str | None
    api_key_id: str


def key_purpose(job_id: str) -> str:
    return f"batch:{job_id}"


def line_aad(job_id: str, line: int) -> bytes:
    """Binds a sealed line to its job and position: rows cannot be swapped unnoticed."""
    return f"batch:{job_id}:{line}".encode()


async def create(
    session: AsyncSession, keys: KeyService, caller: Caller, request: BatchJobCreate, clock: Clock
) -> BatchJob:
    """Check the request, store the job (and inline requests, sealed); `batch.start` runs it
    after the commit."""
    route = _endpoint(request.endpoint)
    if request.agent_id is not None:
        raise InvalidRequest("Batch jobs with agent_id are not supported here; send model.")
    if bool(request.input_files) == bool(request.requests):
        raise InvalidRequest(
            "Send either input_files (ids of .jsonl files uploaded with purpose batch) or "
            "requests (inline), not both and not neither.",
            param="input_files",
        )
    for file_id in request.input_files or []:
        stored = await files_repository.get_visible(
            session, caller.organization_id, caller.user_id, file_id
        )
        if stored.purpose != FilePurpose.BATCH:
            raise InvalidRequest("Input files must be uploaded with purpose batch.")
    job_id = str(uuid.uuid4())
    key_id, key = await keys.data_key_for(session, caller.organization_id, key_purpose(job_id))
    job = BatchJob(
        id=job_id,
        organization_id=caller.organization_id,
        api_key_id=caller.api_key_id,
        created_by_user_id=caller.user_id,
        endpoint=route.value,
        model=request.model,
        job_metadata=request.metadata,
        input_files=list(request.input_files or []),
        status=BatchStatus.QUEUED.value,
        timeout_hours=request.timeout_hours,
        total_requests=len(request.requests or []),
        succeeded_requests=0,
        failed_requests=0,
        errors=[],
        encryption_key_id=key_id,
        created_at=clock.now(),
    )
    session.add(job)
    await session.flush()
    for index, item in enumerate(request.requests or []):
        raw = orjson.dumps(item.model_dump(exclude_none=True))
        session.add(
            BatchLine(
                job_id=job_id,
                line=index,
                status=repository.PENDING,
                request=seal(key, raw, line_aad(job_id, index)),
            )
        )
    await session.flush()
    await enqueue(session, START_JOB, job_id=job_id)
    return job


def _endpoint(value: str) -> Route:
    for route in BATCH_ENDPOINTS:
        if route.value == value:
            return route
    allowed = ", ".join(route.value for route in BATCH_ENDPOINTS)
    raise InvalidRequest(f"Unsupported batch endpoint; use one of: {allowed}.", param="endpoint")


async def view(session: AsyncSession, job: BatchJob) -> BatchJobObject:
    return (await views(session, [job]))[0]


async def views(session: AsyncSession, jobs: list[BatchJob]) -> list[BatchJobObject]:
    """The API objects, with live counters for jobs still running."""
    running = [job.id for job in jobs if job.output_file is None and job.completed_at is None]
    counts = await repository.line_counts(session, running)
    return [BatchJobObject.of(job, counts.get(job.id)) for job in jobs]


async def cancel(session: AsyncSession, caller: Caller, job_id: str) -> BatchJob:
    """Stop a job: lines not yet run are not run; what finished stays in the output."""
    job = await repository.get_visible(session, caller.organization_id, job_id)
    if job.status in ACTIVE_STATUSES:
        job.status = BatchStatus.CANCELLATION_REQUESTED.value
        await session.flush()
        await enqueue(session, FINISH_JOB, job_id=job.id)
    return job


async def delete(
    session: AsyncSession, actor: Actor, caller: Caller, job_id: str, clock: Clock
) -> Deletion:
    """Hide the job now (a running one is cancelled first); purged after the grace period."""
    job = await cancel(session, caller, job_id)
    organization = await organization_service.get(session, caller.organization_id)
    return await lifecycle_service.delete(
        session, actor, organization, ObjectKind.BATCH_JOB, job.id, clock
    )


async def recent(session: AsyncSession, organization_id: str) -> list[BatchJobObject]:
    """The organization's latest jobs with live progress (console, CLI)."""
    return await views(session, await repository.recent_for_organization(session, organization_id))


async def show(session: AsyncSession, organization_id: str, job_id: str) -> BatchJobObject:
    return await view(session, await repository.get_visible(session, organization_id, job_id))
