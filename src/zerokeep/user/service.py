"""Rules for users: creation with an argon2 hash, membership in organizations.

user = await user_service.create(session, CLI, email="a@b.c", password="...", is_staff=False)
await user_service.add_member(session, CLI, org, user, Role.OWNER)
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.errors import Conflict, InvalidRequest
from zerokeep.kit.clock import SystemClock
from zerokeep.kit.ids import new_id
from zerokeep.models import Membership, Organization, User
from zerokeep.user import repository
from zerokeep.user.passwords import MIN_PASSWORD_LENGTH, hash_password
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
        created_at=SystemClock().now(),
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
        created_at=SystemClock().now(),
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
