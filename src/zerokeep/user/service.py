"""Rules for users: creation with an argon2 hash, memberships and roles, console login.

user = await user_service.create(session, CLI, email="a@b.c", password="...", is_staff=False)
await user_service.add_member(session, CLI, org, user, Role.OWNER)
outcome = await user_service.authenticate(session, "a@b.c", "...", now=clock.now())
await user_service.log_out(session, user.id)   # ends every console session of the user
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.api_key import service as api_key_service
from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import ANONYMOUS, SYSTEM, Actor, AuditAction
from zerokeep.db import session_clock
from zerokeep.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from zerokeep.kit.ids import new_id
from zerokeep.models import Membership, Organization, User
from zerokeep.user import repository
from zerokeep.user.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from zerokeep.user.roles import Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    password: str | None,
    is_staff: bool = False,
) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise InvalidRequest("The email address is not valid.", param="email")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", param="password"
        )
    if await repository.find_by_email(session, email) is not None:
        raise Conflict("A user with this email already exists.")
    user = User(
        id=new_id("usr"),
        email=email,
        password_hash=hash_password(password) if password else None,
        is_platform_staff=is_staff,
        failed_login_count=0,
        created_at=session_clock(session).now(),
    )
    session.add(user)
    await session.flush()
    await audit_service.record(
        session, actor, AuditAction.USER_CREATED, target=user.id, is_staff=is_staff
    )
    return user


async def add_member(
    session: AsyncSession, actor: Actor, organization: Organization, user: User, role: Role
) -> Membership:
    if await repository.find_membership(session, organization.id, user.id) is not None:
        raise Conflict("This user is already a member of the organization.")
    membership = Membership(
        id=new_id("mem"),
        organization_id=organization.id,
        user_id=user.id,
        role=role.value,
        created_at=session_clock(session).now(),
    )
    session.add(membership)
    await session.flush()
    await audit_service.record(
        session,
        actor,
        AuditAction.MEMBER_ADDED,
        target=user.id,
        organization_id=organization.id,
        role=role.value,
    )
    return membership


async def role_in(session: AsyncSession, organization_id: str, user_id: str) -> Role | None:
    membership = await repository.find_membership(session, organization_id, user_id)
    return Role(membership.role) if membership else None


async def get(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.find_by_email(session, email)


async def emails_of(session: AsyncSession, user_ids: set[str]) -> dict[str, str]:
    return await repository.emails_of(session, user_ids)


async def list_members(
    session: AsyncSession, organization_id: str
) -> list[tuple[Membership, User]]:
    return await repository.members_of(session, organization_id)


async def organizations_of(session: AsyncSession, user_id: str) -> list[tuple[Organization, Role]]:
    """The organizations a user belongs to, with their role in each (console switcher)."""
    found: list[tuple[Organization, Role]] = []
    for membership in await repository.memberships_of(session, user_id):
        organization = await session.get(Organization, membership.organization_id)
        if organization is not None:
            found.append((organization, Role(membership.role)))
    return found


async def change_role(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    user_id: str,
    role: Role,
    *,
    acting_role: Role,
) -> Membership:
    """Change a member's role. Owner/admin only; only an owner grants or takes away `owner`;
    the last owner keeps the role (an organization always has someone who can govern it)."""
    _require_member_manager(acting_role)
    membership = await _membership(session, organization.id, user_id)
    old = Role(membership.role)
    if old == role:
        return membership
    if Role.OWNER in (old, role) and acting_role is not Role.OWNER:
        raise PermissionDenied("Only an owner can grant or remove the owner role.")
    if old is Role.OWNER:
        await _keep_one_owner(session, organization.id)
    membership.role = role.value
    await audit_service.record(
        session,
        actor,
        AuditAction.MEMBER_ROLE_CHANGED,
        target=user_id,
        organization_id=organization.id,
        old=old.value,
        new=role.value,
    )
    return membership


async def remove_member(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    user_id: str,
    *,
    acting_role: Role,
) -> None:
    """Remove a member and revoke the API keys they own in this organization."""
    _require_member_manager(acting_role)
    membership = await _membership(session, organization.id, user_id)
    if membership.role == Role.OWNER.value:
        if acting_role is not Role.OWNER:
            raise PermissionDenied("Only an owner can remove an owner.")
        await _keep_one_owner(session, organization.id)
    for api_key in await api_key_service.list_for(session, organization.id, user_id):
        if api_key.revoked_at is None:
            await api_key_service.revoke(session, actor, organization.id, api_key.id)
    await session.delete(membership)
    await session.flush()
    await audit_service.record(
        session,
        actor,
        AuditAction.MEMBER_REMOVED,
        target=user_id,
        organization_id=organization.id,
        role=membership.role,
    )


def _require_member_manager(role: Role) -> None:
    if not role.can_manage_members:
        raise PermissionDenied("Only an owner or an admin can manage members.")


async def _membership(session: AsyncSession, organization_id: str, user_id: str) -> Membership:
    membership = await repository.find_membership(session, organization_id, user_id)
    if membership is None:
        raise NotFound("No such member in this organization.")
    return membership


async def _keep_one_owner(session: AsyncSession, organization_id: str) -> None:
    owners = [m for m, _ in await repository.members_of(session, organization_id)]
    if sum(1 for m in owners if m.role == Role.OWNER.value) <= 1:
        raise Conflict("An organization needs at least one owner: make someone else owner first.")


MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """`user` when the password matched; `locked_until` when the account is locked."""

    user: User | None
    locked_until: datetime | None = None


async def authenticate(
    session: AsyncSession, email: str, password: str, *, now: datetime
) -> LoginOutcome:
    """Check a console login. After MAX_FAILED_LOGINS wrong passwords the account is locked for
    LOCKOUT and every console session of it ends; while locked even the right password is
    refused. Failures are counted and audited in the caller's unit of work, so the caller must
    let it commit (this returns, never raises).

    Every attempt on a known account is audited with the user id as target and counts as
    details; an unknown email records nothing: the audit log must not keep what a stranger typed.
    """
    user = await repository.find_by_email(session, email)
    if user is not None and user.deleted_at is not None:
        user = None  # a deleted account (in its grace period) cannot log in
    if user is None or user.password_hash is None or user.disabled_at is not None:
        # Spend the same argon2 time as a real check, so timing does not reveal accounts.
        verify_password(_dummy_hash(), password)
        if user is not None:
            reason = "disabled" if user.disabled_at is not None else "no_password"
            await _record_failure(session, user, reason=reason)
        return LoginOutcome(None)
    if user.locked_until is not None:
        if user.locked_until > now:
            await _record_failure(session, user, reason="locked")
            return LoginOutcome(None, locked_until=user.locked_until)
        user.locked_until = None
        user.failed_login_count = 0
    if verify_password(user.password_hash, password):
        user.failed_login_count = 0
        await session.flush()
        await audit_service.record(
            session, Actor.user(user.id), AuditAction.LOGIN_SUCCEEDED, target=user.id
        )
        return LoginOutcome(user)
    user.failed_login_count += 1
    failed_count = user.failed_login_count
    await _record_failure(session, user, reason="wrong_password", failed_count=failed_count)
    if failed_count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_login_count = 0
        # Whoever is guessing may already hold a session: a lockout ends them all.
        end_sessions(user)
        await session.flush()
        await audit_service.record(
            session,
            SYSTEM,
            AuditAction.LOCKED_OUT,
            target=user.id,
            failed_count=failed_count,
            locked_until=user.locked_until.isoformat(),
        )
    await session.flush()
    return LoginOutcome(None, locked_until=user.locked_until)


async def _record_failure(
    session: AsyncSession, user: User, *, reason: str, failed_count: int | None = None
) -> None:
    # The actor is anonymous: a failed attempt proves nobody's identity.
    await session.flush()
    await audit_service.record(
        session,
        ANONYMOUS,
        AuditAction.LOGIN_FAILED,
        target=user.id,
        reason=reason,
        failed_count=failed_count,
    )


def end_sessions(user: User) -> None:
    """End every console session of `user`, every copy of every cookie included: a cookie
    carries the session_version it was issued with and the console refuses any other.
    Call it on logout, on lockout and on any password change."""
    user.session_version += 1


async def session_user(session: AsyncSession, user_id: str, session_version: int) -> User | None:
    """The user behind a console session cookie, or None when the user is gone or the session
    was ended. One primary-key lookup: the console's only per-request query for the user.

    user = await user_service.session_user(db, cookie.user_id, cookie.session_version)
    """
    user = await session.get(User, user_id)
    if (
        user is None
        or user.session_version != session_version
        or user.deleted_at is not None
        or user.disabled_at is not None
    ):
        return None
    return user


async def log_out(session: AsyncSession, user_id: str) -> None:
    """Log out everywhere: every session of the user ends, not only the one that asked."""
    user = await get(session, user_id)
    end_sessions(user)
    await session.flush()
    await audit_service.record(session, Actor.user(user.id), AuditAction.LOGGED_OUT, target=user.id)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def invite(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    *,
    email: str,
    role: Role,
    password: str | None,
    acting_role: Role,
) -> tuple[Membership, bool]:
    """Add an existing user by email, or create the user when a password is given.
    Returns the membership and whether a user was created."""
    _require_member_manager(acting_role)
    if role is Role.OWNER and acting_role is not Role.OWNER:
        raise PermissionDenied("Only an owner can grant or remove the owner role.")
    user = await repository.find_by_email(session, email)
    if user is not None and password:
        raise Conflict(
            "A user with this email already exists: leave the password empty to add them."
        )
    created = user is None
    if user is None:
        if not password:
            raise InvalidRequest(
                "No user has this email: give a password to create the user.", param="password"
            )
        user = await create(session, actor, email=email, password=password)
    return await add_member(session, actor, organization, user, role), created
