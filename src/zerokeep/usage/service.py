"""Usage summaries for the CLI, the API and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import UsageRecord


@dataclass(frozen=True, slots=True)
class UsageLine:
    organization_id: str
    route: str
    model: str | None
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    bytes_in: int
    bytes_out: int
    avg_latency_ms: float


async def summary(
    session: AsyncSession,
    organization_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageLine]:
    """Usage per organization, route and model, for records in [since, until)."""
    stmt = select(
        UsageRecord.organization_id,
        UsageRecord.route,
        UsageRecord.model,
        func.count(UsageRecord.id),
        func.sum(case((UsageRecord.status_code >= 400, 1), else_=0)),
        func.sum(UsageRecord.prompt_tokens),
        func.sum(UsageRecord.completion_tokens),
        func.sum(UsageRecord.bytes_in),
        func.sum(UsageRecord.bytes_out),
        func.avg(UsageRecord.latency_ms),
    ).group_by(UsageRecord.organization_id, UsageRecord.route, UsageRecord.model)
    if organization_id is not None:
        stmt = stmt.where(UsageRecord.organization_id == organization_id)
    if since is not None:
        stmt = stmt.where(UsageRecord.created_at >= since)
    if until is not None:
        stmt = stmt.where(UsageRecord.created_at < until)
    rows = (
        await session.execute(stmt.order_by(UsageRecord.organization_id, UsageRecord.route))
    ).all()
    return [
        UsageLine(
            organization_id=row[0],
            route=row[1],
            model=row[2],
            requests=int(row[3]),
            errors=int(row[4] or 0),
            prompt_tokens=int(row[5] or 0),
            completion_tokens=int(row[6] or 0),
            bytes_in=int(row[7] or 0),
            bytes_out=int(row[8] or 0),
            avg_latency_ms=float(row[9] or 0.0),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class UsageDay:
    day: date
    requests: int
    errors: int
    tokens: int


async def daily(session: AsyncSession, organization_id: str, since: datetime) -> list[UsageDay]:
    """Requests, errors and tokens per UTC day since `since`, oldest first (console charts)."""
    created_at: ColumnElement[datetime] = UsageRecord.created_at.expression
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # date() of a timestamptz follows the connection's time zone; the charts are in UTC.
        created_at = func.timezone("UTC", UsageRecord.created_at)
    day = func.date(created_at)
    stmt = (
        select(
            day,
            func.count(UsageRecord.id),
            func.sum(case((UsageRecord.status_code >= 400, 1), else_=0)),
            func.sum(UsageRecord.total_tokens),
        )
        .where(UsageRecord.organization_id == organization_id, UsageRecord.created_at >= since)
        .group_by(day)
        .order_by(day)
    )
    return [
        UsageDay(
            # SQLite returns 'YYYY-MM-DD' text, PostgreSQL a date.
            day=row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0])),
            requests=int(row[1]),
            errors=int(row[2] or 0),
            tokens=int(row[3] or 0),
        )
        for row in (await session.execute(stmt)).all()
    ]
