"""Who is calling a control-plane JSON route: its role in the organization, its audit actor,
and whether it is platform staff.

A key bound to a user acts with that user's membership role (none left: member). A key with no
user was made by an operator with the CLI and acts as an admin of its organization.

    role = await access.role_of(session, context)
    actor = access.actor_of(context)
    await access.require_staff(session, context)   # PermissionDenied unless platform staff
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import Actor
from zerokeep.auth.context import AuthContext
from zerokeep.errors import PermissionDenied
from zerokeep.models import User
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role

OPERATOR_KEY_ROLE = Role.ADMIN


async def role_of(session: AsyncSession, context: AuthContext) -> Role:
    if context.user_id is None:
        return OPERATOR_KEY_ROLE
    role = await user_service.role_in(session, context.organization_id, context.user_id)
    return role or Role.MEMBER


def actor_of(context: AuthContext) -> Actor:
    if context.user_id is not None:
        return Actor.user(context.user_id)
    return Actor("api_key", context.api_key_id)


async def require_staff(session: AsyncSession, context: AuthContext) -> User:
    user = await session.get(User, context.user_id) if context.user_id else None
    if user is None or not user.is_platform_staff:
        raise PermissionDenied("This endpoint needs the API key of a platform staff user.")
    return user
