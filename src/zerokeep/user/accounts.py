"""Account management after creation: password change and reset by a one-time emailed link,
the user list, disabling and enabling. Every change is audited (never the password or token).

    await accounts.change_password(session, actor, user, current="...", new="...")
    await accounts.request_reset(session, "a@b.c", now=clock.now())      # emails a link
    user = await accounts.reset_password(session, token, "new password", now=clock.now())
    await accounts.disable(session, CLI, user)       # ends every session of the user

A reset link carries a random token; only its SHA-256 is stored (the token has 256 bits of
entropy, so no salt or key is needed). A link works once and for RESET_LIFETIME; changing the
password ends every earlier link and every console session.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import ANONYMOUS, Actor, AuditAction
from zerokeep.email import service as email_service
from zerokeep.email.templates import Template, console_link
from zerokeep.errors import InvalidRequest, PermissionDenied
from zerokeep.kit.clock import SystemClock
from zerokeep.kit.crypto import sha256_hex
from zerokeep.kit.ids import new_id
from zerokeep.models import PasswordReset, User
from zerokeep.user import repository
from zerokeep.user.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from zerokeep.user.service import end_sessions

RESET_LIFETIME = timedelta(hours=1)
INVALID_LINK = (
    "This password reset link is not valid any more (it was used, replaced by a newer one, or "
    "is older than an hour): ask for a new one."
)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", param="password"
        )


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.created_at))).scalars())


async def change_password(
    session: AsyncSession, actor: Actor, user: User, *, current: str, new: str
) -> None:
    """The user's own change: the current password must match. Ends every session."""
    if user.password_hash is None or not verify_password(user.password_hash, current):
        raise PermissionDenied("The current password is wrong.")
    await _set_password(session, actor, user, new, how="changed")


async def set_password(session: AsyncSession, actor: Actor, user: User, new: str) -> None:
    """The operator sets a password (CLI). Ends every session and reset link of the user."""
    await _set_password(session, actor, user, new, how="set_by_operator")


async def request_reset(session: AsyncSession, email: str, *, now: datetime) -> None:
    """Email a one-time reset link to `email` if it is an enabled user; say nothing otherwise
    (the caller shows the same page either way, so the form does not reveal accounts)."""
    user = await repository.find_by_email(session, email)
    if user is None or user.disabled_at is not None:
        return
    await _end_links(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            id=new_id("pwr"),
            user_id=user.id,
            token_hash=sha256_hex(token.encode()),
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    await session.flush()
    await email_service.enqueue(
        session,
        to=user.email,
        template=Template.PASSWORD_RESET,
        reset_link=console_link(f"/reset/{token}"),
        minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )
    await audit_service.record(
        session, ANONYMOUS, AuditAction.PASSWORD_RESET_REQUESTED, target=user.id
    )


async def valid_reset(session: AsyncSession, token: str, *, now: datetime) -> PasswordReset | None:
    stmt = select(PasswordReset).where(PasswordReset.token_hash == sha256_hex(token.encode()))
    reset = (await session.execute(stmt)).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset


async def reset_password(session: AsyncSession, token: str, new: str, *, now: datetime) -> User:
    """Use a reset link once: set the password, end every session and every other link."""
    reset = await valid_reset(session, token, now=now)
    if reset is None:
        raise InvalidRequest(INVALID_LINK, param="token")
    user = await session.get(User, reset.user_id)
    if user is None or user.disabled_at is not None:
        raise InvalidRequest(INVALID_LINK, param="token")
    await _set_password(session, Actor.user(user.id), user, new, how="reset_by_email")
    return user


async def disable(session: AsyncSession, actor: Actor, user: User, *, now: datetime) -> None:
    """Refuse the user's logins and end their sessions now; their memberships stay."""
    if user.disabled_at is not None:
        return
    user.disabled_at = now
    end_sessions(user)
    await _end_links(session, user.id, now)
    await session.flush()
    await audit_service.record(session, actor, AuditAction.USER_DISABLED, target=user.id)


async def enable(session: AsyncSession, actor: Actor, user: User) -> None:
    if user.disabled_at is None:
        return
    user.disabled_at = None
    user.failed_login_count = 0
    user.locked_until = None
    await session.flush()
    await audit_service.record(session, actor, AuditAction.USER_ENABLED, target=user.id)


async def _set_password(
    session: AsyncSession, actor: Actor, user: User, new: str, *, how: str
) -> None:
    check_password(new)
    user.password_hash = hash_password(new)
    user.failed_login_count = 0
    user.locked_until = None
    end_sessions(user)
    await _end_links(session, user.id, None)
    await session.flush()
    await audit_service.record(
        session, actor, AuditAction.PASSWORD_CHANGED, target=user.id, how=how
    )


async def _end_links(session: AsyncSession, user_id: str, now: datetime | None) -> None:
    stmt = (
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now or SystemClock().now())
    )
    await session.execute(stmt)
