"""The Batch API routes (thin): parse, authorize, call the service. Every route is stateful:
an organization that blocks stateful APIs gets 403 (dependencies.require_stateful)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request

from zerokeep.auth import access
from zerokeep.auth.context import AuthContext
from zerokeep.batch import repository
from zerokeep.batch import service as batch_service
from zerokeep.batch.repository import JobFilter
from zerokeep.batch.schemas import (
    BatchJobCreate,
    BatchJobDeleted,
    BatchJobList,
    BatchJobObject,
    BatchStatus,
)
from zerokeep.batch.service import Caller
from zerokeep.db import read_only, unit_of_work
from zerokeep.dependencies import StateDep, StatefulDep
from zerokeep.errors import InvalidRequest

router = APIRouter(prefix="/v1/batch/jobs", tags=["batch"])
MAX_PAGE_SIZE = 1000


@router.post("")
async def create_job(
    request: BatchJobCreate, context: StatefulDep, state: StateDep
) -> BatchJobObject:
    """From input files (JSONL, purpose batch) or inline requests; runs in the background."""
    async with unit_of_work(state.sessions) as session:
        job = await batch_service.create(
            session, state.key_service, _caller(context), request, state.clock
        )
        return await batch_service.view(session, job)


@router.get("")
async def list_jobs(
    http: Request,
    context: StatefulDep,
    state: StateDep,
    page: Annotated[int, Query(ge=0)] = 0,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    model: Annotated[str | None, Query(max_length=200)] = None,
    agent_id: str | None = None,
    metadata: Annotated[str | None, Query(max_length=4000)] = None,
    created_after: datetime | None = None,
    created_by_me: bool = False,
    status: Annotated[list[BatchStatus] | None, Query()] = None,
    order_by: Annotated[str, Query(pattern="^-?created$")] = "-created",
) -> BatchJobList:
    filters = JobFilter(
        model=model,
        metadata=_metadata(metadata, http),
        created_after=created_after,
        created_by_user_id=context.user_id if created_by_me else None,
        statuses=[value.value for value in status or []],
        newest_first=order_by == "-created",
    )
    async with read_only(state.sessions) as session:
        jobs, total = await repository.page(
            session, context.organization_id, filters, page, page_size
        )
        if agent_id is not None:
            jobs, total = [], 0  # no job here runs an agent
        return BatchJobList(data=await batch_service.views(session, jobs), total=total)


@router.get("/{job_id}")
async def get_job(
    job_id: str, context: StatefulDep, state: StateDep, inline: bool | None = None
) -> BatchJobObject:
    async with read_only(state.sessions) as session:
        job = await repository.get_visible(session, context.organization_id, job_id)
        return await batch_service.view(session, job)


@router.post("/{job_id}/cancel")
async def cancel_job(job_id: str, context: StatefulDep, state: StateDep) -> BatchJobObject:
    async with unit_of_work(state.sessions) as session:
        job = await batch_service.cancel(session, _caller(context), job_id)
        return await batch_service.view(session, job)


@router.delete("/{job_id}")
async def delete_job(job_id: str, context: StatefulDep, state: StateDep) -> BatchJobDeleted:
    """Cancelled if running, hidden at once, purged after the organization's grace period."""
    async with unit_of_work(state.sessions) as session:
        await batch_service.delete(
            session, access.actor_of(context), _caller(context), job_id, state.clock
        )
    return BatchJobDeleted(id=job_id)


_LIST_PARAMS = frozenset(
    {"page", "page_size", "model", "agent_id", "metadata", "created_after", "created_by_me"}
    | {"status", "order_by"}
)


def _metadata(value: str | None, http: Request) -> dict[str, str]:
    """The SDK sends the metadata filter exploded (`?team=search`); `metadata=<JSON object>`
    works too."""
    labels = {key: item for key, item in http.query_params.items() if key not in _LIST_PARAMS}
    if not value:
        return labels
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in parsed.items()
    ):
        raise InvalidRequest(
            'metadata is a JSON object of strings, e.g. {"team": "search"}.', param="metadata"
        )
    return {**labels, **parsed}


def _caller(context: AuthContext) -> Caller:
    return Caller(context.organization_id, context.user_id, context.api_key_id)
