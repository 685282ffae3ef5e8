"""Every query on users and memberships."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import Membership, User


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(User.email == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_membership(
    session: AsyncSession, organization_id: str, user_id: str
) -> Membership | None:
    stmt = select(Membership).where(
        Membership.organization_id == organization_id, Membership.user_id == user_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def memberships_of(session: AsyncSession, user_id: str) -> list[Membership]:
    stmt = select(Membership).where(Membership.user_id == user_id).order_by(Membership.created_at)
    return list((await session.execute(stmt)).scalars())


async def members_of(session: AsyncSession, organization_id: str) -> list[tuple[Membership, User]]:
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization_id)
        .order_by(Membership.created_at)
    )
    return [(membership, user) for membership, user in (await session.execute(stmt)).all()]


async def emails_of(session: AsyncSession, user_ids: set[str]) -> dict[str, str]:
    """user id -> email, for the ids that exist (the audit log resolves actors at display)."""
    if not user_ids:
        return {}
    stmt = select(User.id, User.email).where(User.id.in_(user_ids))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}
