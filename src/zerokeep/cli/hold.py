"""`zerokeep hold`: legal holds (platform staff), which block purges until lifted."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle import holds
from zerokeep.models import LegalHold
from zerokeep.organization import service as organization_service

app = typer.Typer(
    help="Legal holds: block purges of an organization or one object.", no_args_is_help=True
)


@app.command()
def place(
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    reason: str = typer.Option(..., "--reason", help="Why (shown to the organization)."),
    object_id: str | None = typer.Option(None, "--object", help="One object (e.g. a file id)."),
    kind: str | None = typer.Option(None, "--kind", help="The object's kind, e.g. file."),
) -> None:
    """Place a legal hold on an organization, or on one of its objects (audited)."""

    async def work(session: AsyncSession, _: CliContext) -> LegalHold:
        organization = await organization_service.get(session, org)
        return await holds.place(
            session,
            CLI,
            organization.id,
            reason,
            SystemClock(),
            object_kind=kind or ("file" if object_id else None),
            object_id=object_id,
        )

    hold = run_in_session(work)
    console.print(f"Placed legal hold {hold.id} on {hold.object_id or hold.organization_id}.")


@app.command()
def lift(hold_id: str) -> None:
    """Lift a legal hold: what it kept past its purge date is purged at the next run."""

    async def work(session: AsyncSession, _: CliContext) -> LegalHold:
        return await holds.lift(session, CLI, hold_id, SystemClock())

    hold = run_in_session(work)
    console.print(f"Lifted legal hold {hold.id}.")


@app.command("list")
def list_holds(org: str = typer.Option(..., "--org", help="Organization id or slug.")) -> None:
    """An organization's legal holds, active and lifted."""

    async def work(session: AsyncSession, _: CliContext) -> list[LegalHold]:
        organization = await organization_service.get(session, org)
        return await holds.list_for_organization(session, organization.id)

    table = Table("hold", "on", "reason", "placed", "lifted")
    for hold in run_in_session(work):
        table.add_row(
            hold.id,
            hold.object_id or "whole organization",
            escape(hold.reason),
            f"{hold.placed_at:%Y-%m-%d %H:%M}",
            f"{hold.lifted_at:%Y-%m-%d %H:%M}" if hold.lifted_at else "active",
        )
    console.print(table)
