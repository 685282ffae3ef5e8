"""`zerokeep zdr`: file, list, approve, deny and withdraw ZDR requests, as the operator."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.auth.access import OPERATOR_KEY_ROLE
from zerokeep.cli.listing import JSON_OPTION, Cell, print_listing, print_record
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.models import ZdrRequest
from zerokeep.organization import service as organization_service
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request.schemas import ZdrRequestCreate

app = typer.Typer(help="Zero Data Retention requests and their review.", no_args_is_help=True)


@app.command()
def request(
    org: str = typer.Option(..., "--org", help="Organization id or slug (Scale plan)."),
    use_case: str = typer.Option(..., "--use-case", help="What the API calls are for."),
    data_categories: str = typer.Option(
        ..., "--data-categories", help="Comma-separated, e.g. 'health records, names'."
    ),
    legal_basis: str = typer.Option(..., "--legal-basis", help="Legal or contractual basis."),
    contact: str = typer.Option(..., "--contact", help="Contact email for the decision."),
) -> None:
    """Submit a ZDR request for an organization (the operator acts as its admin)."""
    form = ZdrRequestCreate(
        use_case=use_case,
        data_categories=[part for part in data_categories.split(",") if part.strip()],
        legal_basis=legal_basis,
        contact_email=contact,
    )

    async def work(session: AsyncSession, _: CliContext) -> ZdrRequest:
        organization = await organization_service.get(session, org)
        return await zdr_request_service.submit(
            session, CLI, organization, requested_by_user_id=None, role=OPERATOR_KEY_ROLE, form=form
        )

    created = run_in_session(work)
    console.print(f"Submitted ZDR request {created.id} (pending review).", highlight=False)


@app.command("list")
def list_requests(
    pending: bool = typer.Option(False, "--pending", help="Only the review queue."),
    org: str | None = typer.Option(None, "--org", help="Only this organization (id or slug)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List ZDR requests, newest first (with --pending: the queue, oldest first)."""

    async def work(session: AsyncSession, _: CliContext) -> list[zdr_request_service.ReviewItem]:
        if pending:
            items = await zdr_request_service.review_queue(session)
        else:
            items = await zdr_request_service.list_all(session)
        if org is not None:
            organization = await organization_service.get(session, org)
            items = [item for item in items if item.organization.id == organization.id]
        return items

    rows = [
        {
            "id": item.request.id,
            "organization": item.organization.slug,
            "plan": item.organization.plan,
            "status": item.request.status,
            "submitted": item.request.created_at,
            "decided": item.request.decided_at,
            "reviewer": item.request.reviewer,
        }
        for item in run_in_session(work)
    ]
    print_listing(rows, list(_LIST_COLUMNS), as_json=as_json, empty="No ZDR requests.")


_LIST_COLUMNS = ("id", "organization", "plan", "status", "submitted", "decided", "reviewer")


@app.command()
def show(request_id: str, as_json: bool = JSON_OPTION) -> None:
    """Show one request in full (the justification staff review), with its decision."""

    async def work(session: AsyncSession, _: CliContext) -> dict[str, Cell]:
        found = await zdr_request_service.get_for_staff(session, request_id)
        organization = await organization_service.get(session, found.organization_id)
        return {
            "id": found.id,
            "organization": organization.slug,
            "organization_id": organization.id,
            "plan": organization.plan,
            "status": found.status,
            "use_case": found.use_case,
            "data_categories": list(found.data_categories),
            "legal_basis": found.legal_basis,
            "contact": found.contact_email,
            "submitted": found.created_at,
            "decided": found.decided_at,
            "reviewer": found.reviewer,
            "reason": found.decision_reason,
        }

    record = run_in_session(work)
    print_record(record, as_json=as_json)


@app.command()
def approve(
    request_id: str, reason: str = typer.Option("", "--reason", help="A note for the requester.")
) -> None:
    """Approve a pending request: ZDR is active for its organization at once."""
    decided = run_in_session(
        lambda session, _: zdr_request_service.approve(session, CLI, request_id, reason=reason)
    )
    console.print(f"Approved {decided.id}: ZDR active for {decided.organization_id}.")


@app.command()
def deny(
    request_id: str,
    reason: str = typer.Option(..., "--reason", help="Why; it is emailed to the requester."),
) -> None:
    """Deny a pending request with a reason (emailed to the requester)."""
    decided = run_in_session(
        lambda session, _: zdr_request_service.deny(session, CLI, request_id, reason=reason)
    )
    console.print(f"Denied {decided.id}; the requester will be emailed the reason.")


@app.command()
def withdraw(
    request_id: str, org: str = typer.Option(..., "--org", help="Organization id or slug.")
) -> None:
    """Withdraw an organization's pending request."""

    async def work(session: AsyncSession, _: CliContext) -> ZdrRequest:
        organization = await organization_service.get(session, org)
        return await zdr_request_service.withdraw(
            session, CLI, organization.id, request_id, OPERATOR_KEY_ROLE
        )

    withdrawn = run_in_session(work)
    console.print(f"Withdrew {withdrawn.id}.")
