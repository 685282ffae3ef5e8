"""`zerokeep audit`: the governance audit log and its hash chain."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.cli.runtime import CliContext, console, fail, run_in_session
from zerokeep.models import AuditEvent

app = typer.Typer(help="Audit log and retention evidence.", no_args_is_help=True)


@app.command("verify-chain")
def verify_chain() -> None:
    """Recompute the audit log's hash chain; exit 1 if any event was altered or removed."""

    async def work(session: AsyncSession, _: CliContext) -> audit_service.ChainReport:
        return await audit_service.verify_chain(session)

    report = run_in_session(work)
    if not report.is_intact:
        fail(report.summary)
    console.print(report.summary)


@app.command()
def log(
    org: str | None = typer.Option(None, "--org", help="Only this organization's id."),
    limit: int = typer.Option(50, min=1, max=10_000),
) -> None:
    """Print the latest audit events."""

    async def work(session: AsyncSession, _: CliContext) -> list[AuditEvent]:
        return await audit_service.list_events(session, org, limit)

    table = Table("id", "when", "actor", "action", "target", "organization", "details")
    for event in run_in_session(work):
        details = ", ".join(f"{key}={value}" for key, value in sorted(event.details.items()))
        table.add_row(
            str(event.id),
            f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
            event.actor,
            event.action,
            event.target,
            event.organization_id or "",
            details,
        )
    console.print(table)
