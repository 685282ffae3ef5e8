"""Every query on organizations."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import Organization


async def find(session: AsyncSession, id_or_slug: str) -> Organization | None:
    stmt = select(Organization).where(
        or_(Organization.id == id_or_slug, Organization.slug == id_or_slug)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_all(session: AsyncSession) -> list[Organization]:
    return list(
        (await session.execute(select(Organization).order_by(Organization.created_at))).scalars()
    )


async def slug_exists(session: AsyncSession, slug: str) -> bool:
    stmt = select(Organization.id).where(Organization.slug == slug)
    return (await session.execute(stmt)).first() is not None


async def lock(session: AsyncSession, organization_id: str) -> None:
    """Row-lock the organization until the unit of work ends (PostgreSQL; SQLite serialises
    writers), so that two submissions for it cannot interleave."""
    await session.execute(
        select(Organization.id).where(Organization.id == organization_id).with_for_update()
    )
