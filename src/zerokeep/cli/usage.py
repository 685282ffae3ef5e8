"""`zerokeep usage`: a summary of metered usage (metadata only)."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.organization import service as organization_service
from zerokeep.usage import service as usage_service
from zerokeep.usage.cost import CostLine, Prices, cost_lines


def usage(
    org: str | None = typer.Option(None, "--org", help="Organization id or slug."),
    cost: bool = typer.Option(
        False, "--cost", help="Tokens and cost per organization, key and model instead."
    ),
) -> None:
    """Summarise requests, errors, tokens and bytes per organization, route and model."""
    if cost:
        _cost(org)
        return

    async def work(session: AsyncSession, _: CliContext) -> list[usage_service.UsageLine]:
        organization_id = (await organization_service.get(session, org)).id if org else None
        return await usage_service.summary(session, organization_id)

    lines = run_in_session(work)
    table = Table(
        "organization",
        "route",
        "model",
        "requests",
        "errors",
        "prompt tok",
        "completion tok",
        "bytes in",
        "bytes out",
        "avg ms",
    )
    for line in lines:
        table.add_row(
            line.organization_id,
            line.route,
            line.model or "-",
            str(line.requests),
            str(line.errors),
            str(line.prompt_tokens),
            str(line.completion_tokens),
            str(line.bytes_in),
            str(line.bytes_out),
            f"{line.avg_latency_ms:.1f}",
        )
    console.print(table if lines else "No usage recorded yet.")


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
