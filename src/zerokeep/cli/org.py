"""`zerokeep org`: create, list, change plans, and the staff ZDR switch."""

from __future__ import annotations

import enum

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.listing import JSON_OPTION, Row, print_listing
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.models import Deletion, Organization
from zerokeep.organization import budget as organization_budget
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch

app = typer.Typer(help="Organizations and their plans.", no_args_is_help=True)


class Switch(enum.StrEnum):
    ON = "on"
    OFF = "off"


@app.command()
def create(
    name: str,
    plan: Plan = typer.Option(Plan.FREE, help="free or scale."),
    slug: str | None = typer.Option(None, help="Short name used by other commands."),
) -> None:
    """Create an organization."""
    organization = run_in_session(
        lambda session, _: organization_service.create(
            session, CLI, name=name, plan=plan, slug=slug
        )
    )
    console.print(
        f"Created organization {organization.id} (slug {organization.slug}, plan {plan.value})."
    )


@app.command("list")
def list_organizations(as_json: bool = JSON_OPTION) -> None:
    """List organizations with their plan and privacy state."""
    organizations = run_in_session(lambda session, _: organization_service.list_all(session))
    rows: list[Row] = [
        {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "plan": org.plan,
            "zdr": org.zdr_state,
            "training_opt_out": org.training_opt_out,
            "abuse_window_days": org.abuse_window_days,
        }
        for org in organizations
    ]
    columns = ["id", "slug", "name", "plan", "zdr", "training_opt_out", "abuse_window_days"]
    print_listing(
        rows, columns, as_json=as_json, empty="No organizations.", id_columns=("id", "slug")
    )


@app.command("set-plan")
def set_plan(organization: str, plan: Plan) -> None:
    """Change an organization's plan (leaving Scale revokes ZDR)."""

    async def work(session: AsyncSession, _: CliContext) -> Organization:
        org: Organization = await organization_service.get(session, organization)
        await zdr_switch.set_plan(session, CLI, org, plan)
        return org

    org = run_in_session(work)
    console.print(f"{org.slug}: plan {org.plan}, ZDR {org.zdr_state}.")


@app.command("set-zdr")
def set_zdr(organization: str, state: Switch) -> None:
    """Staff switch: turn ZDR on (Scale plan only) or off for an organization (audited)."""

    async def work(session: AsyncSession, _: CliContext) -> Organization:
        org: Organization = await organization_service.get(session, organization)
        await zdr_switch.set_zdr(session, CLI, org, enabled=state is Switch.ON)
        return org

    org = run_in_session(work)
    console.print(f"{org.slug}: ZDR {org.zdr_state}.")


@app.command()
def delete(
    organization: str,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the organization stops working now."),
) -> None:
    """Delete an organization and everything it owns: its keys stop working at once, it can be
    restored during its grace period, then everything is purged and its key destroyed."""
    if not yes:
        console.print("Add --yes to delete the organization.")
        raise typer.Exit(1)

    async def work(session: AsyncSession, _: CliContext) -> Deletion:
        org: Organization = await organization_service.get(session, organization)
        return await lifecycle_service.delete_organization(session, CLI, org, SystemClock())

    deletion = run_in_session(work)
    console.print(
        f"Deleted organization {deletion.object_id} (deletion {deletion.id}); purge after "
        f"{deletion.purge_after:%Y-%m-%d %H:%M} UTC. "
        f"Restore: zerokeep deleted restore {deletion.id}",
        highlight=False,
    )


@app.command("set-budget")
def set_budget(
    organization: str,
    monthly_tokens: int | None = typer.Option(
        None, "--monthly-tokens", help="Tokens per calendar month (UTC); omit to remove."
    ),
) -> None:
    """Set an organization's monthly token budget (429 once spent; audited)."""

    async def work(session: AsyncSession, _: CliContext) -> Organization:
        org: Organization = await organization_service.get(session, organization)
        await organization_budget.set_monthly_token_budget(session, CLI, org, monthly_tokens)
        return org

    org = run_in_session(work)
    budget = org.monthly_token_budget
    console.print(f"{org.slug}: monthly token budget {budget if budget else 'none'}.")
