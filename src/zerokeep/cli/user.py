"""`zerokeep user`: console logins: create, list, add to an organization, disable/enable,
set a password or email a one-time reset link."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.listing import JSON_OPTION, Row, print_listing
from zerokeep.cli.runtime import CliContext, console, fail, run_in_session
from zerokeep.errors import Conflict, NotFound
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.models import Deletion, User
from zerokeep.organization import service as organization_service
from zerokeep.user import accounts
from zerokeep.user import service as user_service
from zerokeep.user.passwords import MIN_PASSWORD_LENGTH
from zerokeep.user.roles import Role

app = typer.Typer(help="Users (console logins) and their roles.", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from standard input."
)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        fail("give the password on standard input with --password-stdin", code=2)
    # The rule is checked before the confirmation, not after typing it twice.
    password: str = typer.prompt(
        f"Password (at least {MIN_PASSWORD_LENGTH} characters)", hide_input=True
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        fail(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", code=2)
    if typer.prompt("Repeat the password", hide_input=True) != password:
        fail("The two passwords differ.", code=2)
    return password


async def _user(session: AsyncSession, email: str) -> User:
    user = await user_service.find_by_email(session, email)
    if user is None:
        raise NotFound(f"No user has the email {email.strip().lower()}.")
    return user


@app.command()
def create(
    email: str,
    password_stdin: bool = PASSWORD_STDIN,
    staff: bool = typer.Option(False, "--staff", help="Make the user platform staff."),
    org: str | None = typer.Option(None, "--org", help="Organization id or slug to join."),
    role: Role = typer.Option(Role.MEMBER, help="Role in --org: owner, admin or member."),
) -> None:
    """Create a user; the password is read from stdin or prompted for (never an argument).
    For a user who already exists, use `user add-to-org`."""
    password = _read_password(password_stdin)

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
    console.print(
        f"Created user {user.id} ({user.email}{', staff' if staff else ''}{where}).",
        highlight=False,
        soft_wrap=True,
    )


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


@app.command("add-to-org")
def add_to_org(
    email: str,
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    role: Role = typer.Option(Role.MEMBER, help="owner, admin or member."),
) -> None:
    """Give an existing user a role in another organization."""

    async def work(session: AsyncSession, _: CliContext) -> str:
        user = await _user(session, email)
        organization = await organization_service.get(session, org)
        await user_service.add_member(session, CLI, organization, user, role)
        return organization.slug

    slug = run_in_session(work)
    console.print(f"{email.strip().lower()} is now {role.value} of {slug}.", highlight=False)


@app.command("list")
def list_users(as_json: bool = JSON_OPTION) -> None:
    """List users with their organizations and roles."""

    async def work(session: AsyncSession, _: CliContext) -> list[Row]:
        rows: list[Row] = []
        for user in await accounts.list_users(session):
            memberships = await user_service.organizations_of(session, user.id)
            rows.append(
                {
                    "id": user.id,
                    "email": user.email,
                    "staff": user.is_platform_staff,
                    "status": "disabled" if user.disabled_at else "active",
                    "organizations": [f"{o.slug}:{role.value}" for o, role in memberships],
                    "created": user.created_at,
                }
            )
        return rows

    columns = ["id", "email", "staff", "status", "organizations", "created"]
    print_listing(
        run_in_session(work),
        columns,
        as_json=as_json,
        empty="No users.",
        id_columns=("id", "email"),
    )


@app.command()
def disable(email: str) -> None:
    """Refuse the user's logins and end their console sessions now."""

    async def work(session: AsyncSession, _: CliContext) -> None:
        await accounts.disable(session, CLI, await _user(session, email), now=SystemClock().now())

    run_in_session(work)
    console.print(f"Disabled {email.strip().lower()}; their sessions have ended.", highlight=False)


@app.command()
def enable(email: str) -> None:
    """Let a disabled user log in again."""

    async def work(session: AsyncSession, _: CliContext) -> None:
        await accounts.enable(session, CLI, await _user(session, email))

    run_in_session(work)
    console.print(f"Enabled {email.strip().lower()}.", highlight=False)


@app.command("set-password")
def set_password(email: str, password_stdin: bool = PASSWORD_STDIN) -> None:
    """Set a user's password (ends their sessions and reset links)."""
    password = _read_password(password_stdin)

    async def work(session: AsyncSession, _: CliContext) -> None:
        await accounts.set_password(session, CLI, await _user(session, email), password)

    run_in_session(work)
    console.print(f"Password set for {email.strip().lower()}.", highlight=False)


@app.command("reset-password")
def reset_password(email: str) -> None:
    """Email the user a one-time link (valid one hour) to choose a new password."""

    async def work(session: AsyncSession, _: CliContext) -> None:
        user = await _user(session, email)
        if user.disabled_at is not None:
            raise Conflict("This user is disabled: enable it first.")
        await accounts.request_reset(session, user.email, now=SystemClock().now())

    run_in_session(work)
    console.print(
        f"Queued a reset link for {email.strip().lower()} (sent by the server, or now with "
        "`zerokeep email send-pending`).",
        highlight=False,
    )
