"""Every query on batch jobs and their lines; tenant-scoped through the one door (tenancy.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.errors import NotFound
from zerokeep.models import BatchJob, BatchLine
from zerokeep.tenancy import scoped

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobFilter:
    model: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    created_after: datetime | None = None
    created_by_user_id: str | None = None
    statuses: list[str] = field(default_factory=list)
    newest_first: bool = True


async def get_visible(session: AsyncSession, organization_id: str, job_id: str) -> BatchJob:
    stmt = scoped(BatchJob, organization_id).where(
        BatchJob.id == job_id, BatchJob.deleted_at.is_(None)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such batch job in this organization.")
    return found


async def page(
    session: AsyncSession,
    organization_id: str,
    filters: JobFilter,
    page_number: int,
    page_size: int,
) -> tuple[list[BatchJob], int]:
    stmt = scoped(BatchJob, organization_id).where(BatchJob.deleted_at.is_(None))
    if filters.model:
        stmt = stmt.where(BatchJob.model == filters.model)
    if filters.created_after is not None:
        stmt = stmt.where(BatchJob.created_at >= filters.created_after)
    if filters.created_by_user_id is not None:
        stmt = stmt.where(BatchJob.created_by_user_id == filters.created_by_user_id)
    if filters.statuses:
        stmt = stmt.where(BatchJob.status.in_(filters.statuses))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    order = BatchJob.created_at.desc() if filters.newest_first else BatchJob.created_at.asc()
    rows = await session.execute(stmt.order_by(order, BatchJob.id))
    jobs = [job for job in rows.scalars() if _matches(job, filters.metadata)]
    if filters.metadata:  # JSON containment differs per database: filtered here
        total = len(jobs)
    start = page_number * page_size
    return jobs[start : start + page_size], int(total)


def _matches(job: BatchJob, metadata: dict[str, str]) -> bool:
    labels = job.job_metadata or {}
    return all(labels.get(key) == value for key, value in metadata.items())


async def line_counts(session: AsyncSession, job_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(succeeded, failed) per running job, counted from its lines."""
    if not job_ids:
        return {}
    rows = await session.execute(
        select(BatchLine.job_id, BatchLine.status, func.count())
        .where(BatchLine.job_id.in_(job_ids), BatchLine.status != PENDING)
        .group_by(BatchLine.job_id, BatchLine.status)
    )
    counts: dict[str, list[int]] = {job_id: [0, 0] for job_id in job_ids}
    for job_id, status, count in rows:
        counts[job_id][0 if status == SUCCEEDED else 1] += int(count)
    return {job_id: (pair[0], pair[1]) for job_id, pair in counts.items()}


async def pending_lines(
    session: AsyncSession, job_id: str, first: int, last: int
) -> list[BatchLine]:
    rows = await session.execute(
        select(BatchLine)
        .where(
            BatchLine.job_id == job_id,
            BatchLine.status == PENDING,
            BatchLine.line >= first,
            BatchLine.line < last,
        )
        .order_by(BatchLine.line)
    )
    return list(rows.scalars())


async def has_pending(session: AsyncSession, job_id: str) -> bool:
    stmt = select(BatchLine.line).where(BatchLine.job_id == job_id, BatchLine.status == PENDING)
    return (await session.execute(stmt.limit(1))).first() is not None


async def finish_line(
    session: AsyncSession, job_id: str, line: int, status: str, status_code: int, result: bytes
) -> bool:
    """Record a line's outcome once: False if it was already finished (a repeated run)."""
    outcome = await session.execute(
        update(BatchLine)
        .where(BatchLine.job_id == job_id, BatchLine.line == line, BatchLine.status == PENDING)
        .values(status=status, status_code=status_code, result=result, request=None)
    )
    return int(getattr(outcome, "rowcount", 0) or 0) == 1


async def finished_lines(session: AsyncSession, job_id: str, status: str, after: int, limit: int):  # type: ignore[no-untyped-def]
    rows = await session.execute(
        select(BatchLine.line, BatchLine.result)
        .where(BatchLine.job_id == job_id, BatchLine.status == status, BatchLine.line > after)
        .order_by(BatchLine.line)
        .limit(limit)
    )
    return list(rows)


async def drop_lines(session: AsyncSession, job_id: str) -> None:
    await session.execute(delete(BatchLine).where(BatchLine.job_id == job_id))


async def lock(session: AsyncSession, job_id: str) -> BatchJob | None:
    stmt = select(BatchJob).where(BatchJob.id == job_id)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def recent_for_organization(
    session: AsyncSession, organization_id: str, limit: int = 50
) -> list[BatchJob]:
    stmt = (
        scoped(BatchJob, organization_id)
        .where(BatchJob.deleted_at.is_(None))
        .order_by(BatchJob.created_at.desc(), BatchJob.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
