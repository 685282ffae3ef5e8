"""Every query on API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import ApiKey, Organization, User
from zerokeep.tenancy import scoped


async def find_active_by_hash(
    session: AsyncSession, key_hash: str
) -> tuple[ApiKey, Organization] | None:
    stmt = (
        select(ApiKey, Organization)
        .join(Organization, Organization.id == ApiKey.organization_id)
        .outerjoin(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        # A deleted organization or user (in its grace period) can no longer call the API.
        .where(Organization.deleted_at.is_(None))
        .where(or_(ApiKey.user_id.is_(None), User.deleted_at.is_(None)))
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def list_for(
    session: AsyncSession, organization_id: str, user_id: str | None = None
) -> list[ApiKey]:
    stmt = scoped(ApiKey, organization_id).order_by(ApiKey.created_at.desc())
    if user_id is not None:
        stmt = stmt.where(ApiKey.user_id == user_id)
    return list((await session.execute(stmt)).scalars())


async def touch_last_used(session: AsyncSession, key_ids: set[str], when: datetime) -> None:
    if key_ids:
        await session.execute(
            update(ApiKey).where(ApiKey.id.in_(key_ids)).values(last_used_at=when)
        )
