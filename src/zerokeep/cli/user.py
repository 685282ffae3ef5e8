"""`zerokeep user`: create users (console logins) and give them a role in an organization."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.runtime import CliContext, console, fail, run_in_session
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.models import Deletion, User
from zerokeep.organization import service as organization_service
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role

app = typer.Typer(help="Users and their roles.", no_args_is_help=True)


@app.command()
def create(
    email: str,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    staff: bool = typer.Option(False, "--staff", help="Make the user platform staff."),
    org: str | None = typer.Option(None, "--org", help="Organization id or slug to join."),
    role: Role = typer.Option(Role.MEMBER, help="Role in --org: owner, admin or member."),
) -> None:
    """Create a user; the password is read from stdin or prompted for (never an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        fail("give the password on standard input with --password-stdin")

    async def work(session: AsyncSession, _: CliContext) -> User:
        user = await user_service.create(
            session, CLI, email=email, password=password, is_staff=staff
        )
        if org is not None:
            organization = await organization_service.get(session, org)
            await user_service.add_member(session, CLI, organization, user, role)
        return user

    user = run_in_session(work)
    where = f", {role.value} of {org}" if org else ""
    console.print(f"Created user {user.id} ({user.email}{', staff' if staff else ''}{where}).")


@app.command()
def delete(
    user: str,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the user is signed out now."),
) -> None:
    """Delete a user account (id or email) and the files only it could see: its keys and
    sessions stop working at once; restorable during the grace period, then purged."""
    if not yes:
        console.print("Add --yes to delete the user.")
        raise typer.Exit(1)

    async def work(session: AsyncSession, _: CliContext) -> Deletion:
        found = await user_service.find_by_email(session, user) or await user_service.get(
            session, user
        )
        return await lifecycle_service.delete_user(session, CLI, found, SystemClock())

    deletion = run_in_session(work)
    console.print(
        f"Deleted user {deletion.object_id} (deletion {deletion.id}); purge after "
        f"{deletion.purge_after:%Y-%m-%d %H:%M} UTC.",
        highlight=False,
    )
