"""Running a batch job: start (read the input into sealed lines), run chunks of lines through
the gateway pipeline, record each line's outcome in its own transaction.

A line is finished (status + sealed result) in one transaction, guarded by `status =
'pending'`, so a chunk that runs again after a crash skips every finished line; only a line
whose upstream call was in flight when the process died is sent again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.api_key.limits import KeyLimits
from zerokeep.auth.context import AuthContext
from zerokeep.batch import repository
from zerokeep.batch.schemas import MAX_REQUESTS, BatchStatus
from zerokeep.batch.service import FINISH_JOB, RUN_JOB, line_aad
from zerokeep.db import read_only, unit_of_work
from zerokeep.gateway.pipeline import Gateway, LineOutcome
from zerokeep.jobs import JobContext, enqueue
from zerokeep.kit.crypto import open_sealed, seal
from zerokeep.models import ApiKey, BatchJob, BatchLine, Organization, StoredFile
from zerokeep.organization import service as organization_service
from zerokeep.retention.catalogue import EndpointClass, Route, classify_path
from zerokeep.usage.budget import budget_for

CHUNK_LINES = 250
CONCURRENCY = 16
LINE_ATTEMPTS = 3
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
RETRY_BASE_SECONDS = 0.5


class GatewayUnavailable(RuntimeError):
    """Batch lines need the gateway of a `zerokeep serve` or `zerokeep worker` process."""


@dataclass(frozen=True, slots=True)
class RunningJob:
    job: BatchJob
    key: bytes
    context: AuthContext
    route: Route
    deadline: datetime


def gateway_of(ctx: JobContext) -> Gateway:
    if ctx.state is None:
        raise GatewayUnavailable()
    return ctx.state.gateway


async def start(ctx: JobContext, job_id: str) -> None:
    """QUEUED -> RUNNING: seal the input files' lines (inline ones are already stored) and
    queue one `batch.run` per chunk, all in one transaction (so a crash repeats all or none)."""
    async with unit_of_work(ctx.sessions) as session:
        job = await repository.lock(session, job_id)
        if job is None or job.status != BatchStatus.QUEUED:
            return
        key = await ctx.keys.open_data_key(session, job.encryption_key_id)
        if job.input_files:
            job.total_requests = await _read_inputs(ctx, session, job, key)
        job.status = BatchStatus.RUNNING.value
        job.started_at = ctx.clock.now()
        for first in range(0, job.total_requests, CHUNK_LINES):
            await enqueue(session, RUN_JOB, job_id=job.id, first=first, last=first + CHUNK_LINES)
        if job.total_requests == 0:
            await enqueue(session, FINISH_JOB, job_id=job.id)


async def _read_inputs(ctx: JobContext, session: AsyncSession, job: BatchJob, key: bytes) -> int:
    """Every non-blank line of the input files, in order, sealed as one row each. A line is
    not parsed here: a malformed one fails alone when it runs."""
    index = 0
    for file_id in job.input_files:
        stored = await session.get(StoredFile, file_id)
        if stored is None or stored.deleted_at is not None:
            job.errors = [*job.errors, {"message": "An input file was deleted.", "count": 1}]
            continue
        file_key = await ctx.keys.open_data_key(session, stored.encryption_key_id)
        buffer = b""
        async for chunk in ctx.state.blob_store.get(stored.blob_name, file_key):  # type: ignore[union-attr]
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                index = _add_line(session, job, key, index, raw)
        index = _add_line(session, job, key, index, buffer)
        if index > MAX_REQUESTS:
            break
    await session.flush()
    return min(index, MAX_REQUESTS)


def _add_line(session: AsyncSession, job: BatchJob, key: bytes, index: int, raw: bytes) -> int:
    if not raw.strip() or index >= MAX_REQUESTS:
        return index
    sealed = seal(key, raw.strip(), line_aad(job.id, index))
    session.add(BatchLine(job_id=job.id, line=index, status=repository.PENDING, request=sealed))
    return index + 1


async def run_chunk(ctx: JobContext, job_id: str, first: int, last: int) -> None:
    """Run the chunk's pending lines (CONCURRENCY at a time), then queue the finish if the
    job has nothing left to run."""
    gateway = gateway_of(ctx)
    async with read_only(ctx.sessions) as session:
        running = await _running(ctx, session, job_id)
        lines = await repository.pending_lines(session, job_id, first, last) if running else []
    if running is not None and running.job.status == BatchStatus.RUNNING:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(line: BatchLine) -> None:
            async with gate:
                if ctx.clock.now() < running.deadline:
                    await _run_line(ctx, gateway, running, line)

        await asyncio.gather(*(one(line) for line in lines))
    async with unit_of_work(ctx.sessions) as session:
        if (
            running is None
            or not await repository.has_pending(session, job_id)
            or ctx.clock.now() >= running.deadline
        ):
            await enqueue(session, FINISH_JOB, job_id=job_id)


async def _running(ctx: JobContext, session: AsyncSession, job_id: str) -> RunningJob | None:
    job = await session.get(BatchJob, job_id)
    if job is None or job.deleted_at is not None:
        return None
    organization = await session.get(Organization, job.organization_id)
    if organization is None:
        return None
    key = await ctx.keys.open_data_key(session, job.encryption_key_id)
    settings = ctx.settings
    # The key's own controls and the month's budgets hold for its batch lines as for live calls.
    api_key = await session.get(ApiKey, job.api_key_id)
    key_budget = api_key.monthly_token_budget if api_key is not None else None
    budget = await budget_for(
        session,
        ctx.clock.now(),
        organization.id,
        organization.monthly_token_budget,
        job.api_key_id,
        key_budget,
    )
    key_limits = None
    if api_key is not None:
        key_limits = KeyLimits.of(
            api_key.allowed_models,
            api_key.requests_per_minute,
            api_key.tokens_per_minute,
            api_key.monthly_token_budget,
        )
    context = AuthContext(
        api_key_id=job.api_key_id,
        organization_id=organization.id,
        user_id=job.created_by_user_id,
        policy=organization_service.to_policy(organization),
        requests_per_minute=organization.requests_per_minute
        or settings.default_requests_per_minute,
        tokens_per_minute=organization.tokens_per_minute or settings.default_tokens_per_minute,
        key_limits=key_limits,
        budget=budget,
    )
    deadline = job.created_at + timedelta(hours=job.timeout_hours)
    return RunningJob(job, key, context, Route(job.endpoint), deadline)


async def _run_line(
    ctx: JobContext, gateway: Gateway, running: RunningJob, line: BatchLine
) -> None:
    job = running.job
    assert line.request is not None
    raw = open_sealed(running.key, line.request, line_aad(job.id, line.line))
    custom_id, body = _parse_line(raw)
    if body is None:
        outcome = LineOutcome(
            400, None, 'The line is not a JSON object with a "body" object; it was not sent.'
        )
    else:
        if job.model and "model" not in body:
            body["model"] = job.model
        # The batch route's class (stateful) decides: nothing goes to the archive, and the
        # organization's upstream-ZDR requirement holds for its stored lines too.
        outcome = await _call(gateway, running, orjson.dumps(body))
    record = _record(job.id, line.line, custom_id, outcome)
    status = repository.SUCCEEDED if outcome.status == 200 else repository.FAILED
    sealed = seal(running.key, record, line_aad(job.id, line.line))
    async with unit_of_work(ctx.sessions) as session:
        await repository.finish_line(session, job.id, line.line, status, outcome.status, sealed)


async def _call(gateway: Gateway, running: RunningJob, raw: bytes) -> LineOutcome:
    """A transient upstream failure (timeout, 429, 502-504) is tried again, up to
    LINE_ATTEMPTS times, before it fails the line: a busy moment must not fail a batch."""
    for attempt in range(1, LINE_ATTEMPTS + 1):
        outcome = await gateway.run_line(running.context, running.route, raw, _BATCH_CLASS)
        if outcome.status not in TRANSIENT_STATUSES or attempt == LINE_ATTEMPTS:
            return outcome
        await asyncio.sleep(RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


_BATCH_CLASS = classify_path("/v1/batch/jobs") or EndpointClass.STATEFUL


def _parse_line(raw: bytes) -> tuple[str | None, dict[str, Any] | None]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    custom_id = data.get("custom_id")
    custom = str(custom_id) if isinstance(custom_id, str | int) else None
    body = data.get("body")
    return custom, body if isinstance(body, dict) else None


def _record(job_id: str, line: int, custom_id: str | None, outcome: LineOutcome) -> bytes:
    """One line of the output (or error) file, in the shape of Mistral's batch results."""
    if outcome.result is not None:
        response = {"status_code": 200, "body": outcome.result.expose()}
        error = None
    else:
        message = outcome.message or "The request failed."
        response = {"status_code": outcome.status, "body": {"object": "error", "message": message}}
        error = {"message": message, "code": outcome.status}
    item = {
        "id": f"{job_id}:{line}",
        "custom_id": custom_id if custom_id is not None else str(line),
        "response": response,
        "error": error,
    }
    return orjson.dumps(item)
