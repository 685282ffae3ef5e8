"""`zerokeep usage`: a summary of metered usage (metadata only), by organization slug."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.cli.listing import JSON_OPTION, Row, print_listing
from zerokeep.cli.runtime import CliContext, console, fail, run_in_session
from zerokeep.organization import service as organization_service
from zerokeep.usage import service as usage_service
from zerokeep.usage.cost import CostLine, Prices, cost_lines

COLUMNS = (
    "organization",
    "route",
    "model",
    "requests",
    "errors",
    "prompt_tokens",
    "completion_tokens",
    "bytes_in",
    "bytes_out",
    "avg_ms",
)


def usage(
    org: str | None = typer.Option(None, "--org", help="Organization id or slug."),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD (UTC)."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD (included)."),
    as_json: bool = JSON_OPTION,
    cost: bool = typer.Option(
        False, "--cost", help="Tokens and cost per organization, key and model instead."
    ),
) -> None:
    """Summarise requests, errors, tokens and bytes per organization, route and model."""
    if cost:
        _cost(org)
        return
    start = _day(since, "--since")
    end = _day(until, "--until")
    if start and end and end < start:
        fail("--until is before --since", code=2)

    async def work(session: AsyncSession, _: CliContext) -> list[Row]:
        organization_id = (await organization_service.get(session, org)).id if org else None
        lines = await usage_service.summary(
            session, organization_id, start, end + timedelta(days=1) if end else None
        )
        slugs = {o.id: o.slug for o in await organization_service.list_all(session)}
        return [
            {
                "organization": slugs.get(line.organization_id, line.organization_id),
                "route": line.route,
                # A call that failed before a model was chosen has none (invalid body, auth).
                "model": line.model or "(no model)",
                "requests": line.requests,
                "errors": line.errors,
                "prompt_tokens": line.prompt_tokens,
                "completion_tokens": line.completion_tokens,
                "bytes_in": line.bytes_in,
                "bytes_out": line.bytes_out,
                "avg_ms": round(line.avg_latency_ms, 1),
            }
            for line in lines
        ]

    rows = run_in_session(work)
    print_listing(
        rows,
        COLUMNS,
        as_json=as_json,
        empty="No usage recorded in this period." if start or end else "No usage recorded yet.",
        id_columns=("organization", "route", "model"),
    )


def _day(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        fail(f"{option} takes a date as YYYY-MM-DD", code=2)


def _cost(org: str | None) -> None:
    async def work(session: AsyncSession, context: CliContext) -> list[CostLine]:
        organization_id = (await organization_service.get(session, org)).id if org else None
        prices = Prices.from_models(context.settings.models)
        return await cost_lines(session, prices, organization_id)

    lines = run_in_session(work)
    table = Table(
        "organization", "key", "model", "requests", "prompt tok", "completion tok", "cost"
    )
    for line in lines:
        table.add_row(
            line.organization_id,
            line.api_key_id or "-",
            line.model or "-",
            str(line.requests),
            str(line.prompt_tokens),
            str(line.completion_tokens),
            f"{line.cost:.4f}" if line.cost is not None else "no price",
        )
    console.print(table if lines else "No usage recorded yet.")
