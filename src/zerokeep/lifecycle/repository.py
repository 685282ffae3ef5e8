"""Every query on deletions and legal holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.lifecycle.schemas import DeletionStatus
from zerokeep.models import Deletion, LegalHold, StoredFile
from zerokeep.tenancy import get_scoped, scoped


async def get_for_organization(
    session: AsyncSession, organization_id: str, deletion_id: str
) -> Deletion:
    return await get_scoped(session, Deletion, deletion_id, organization_id)


async def lock(session: AsyncSession, deletion_id: str) -> Deletion | None:
    stmt = select(Deletion).where(Deletion.id == deletion_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_for_organization(
    session: AsyncSession, organization_id: str, *, include_purged: bool = False, limit: int = 200
) -> list[Deletion]:
    stmt = scoped(Deletion, organization_id).order_by(Deletion.deleted_at.desc()).limit(limit)
    if not include_purged:
        stmt = stmt.where(Deletion.status == DeletionStatus.PENDING.value)
    return list((await session.execute(stmt)).scalars())


async def pending_for_object(session: AsyncSession, kind: str, object_id: str) -> Deletion | None:
    stmt = select(Deletion).where(
        Deletion.object_kind == kind,
        Deletion.object_id == object_id,
        Deletion.status == DeletionStatus.PENDING.value,
    )
    return (await session.execute(stmt)).scalars().first()


async def pending_children(session: AsyncSession, parent_id: str) -> list[Deletion]:
    stmt = select(Deletion).where(
        Deletion.parent_id == parent_id, Deletion.status == DeletionStatus.PENDING.value
    )
    return list((await session.execute(stmt)).scalars())


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[str]:
    """Pending top-level deletions whose grace period is over (children go with their parent)."""
    stmt = (
        select(Deletion.id)
        .where(
            Deletion.status == DeletionStatus.PENDING.value,
            Deletion.purge_after <= now,
            Deletion.parent_id.is_(None),
        )
        .order_by(Deletion.purge_after)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def blocking_holds(
    session: AsyncSession, organization_id: str | None, object_id: str
) -> list[LegalHold]:
    """Active holds that block purging this object: its organization's, or its own."""
    on_object = LegalHold.object_id == object_id
    stmt = select(LegalHold).where(LegalHold.lifted_at.is_(None))
    if organization_id is None:
        stmt = stmt.where(on_object)
    else:
        stmt = stmt.where(
            or_(
                on_object,
                (LegalHold.organization_id == organization_id) & LegalHold.object_id.is_(None),
            )
        )
    return list((await session.execute(stmt)).scalars())


async def active_holds_in(session: AsyncSession, organization_id: str) -> list[LegalHold]:
    """Every active hold in the organization (any of them blocks purging the whole of it)."""
    stmt = scoped(LegalHold, organization_id).where(LegalHold.lifted_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def holds_for_organization(session: AsyncSession, organization_id: str) -> list[LegalHold]:
    stmt = scoped(LegalHold, organization_id).order_by(LegalHold.placed_at.desc())
    return list((await session.execute(stmt)).scalars())


async def get_hold(session: AsyncSession, hold_id: str) -> LegalHold | None:
    return await session.get(LegalHold, hold_id)


async def expired_files(session: AsyncSession, now: datetime, limit: int = 100) -> list[StoredFile]:
    """Live files whose `expiry` has passed: the sweep deletes them through the lifecycle."""
    stmt = (
        select(StoredFile)
        .where(StoredFile.deleted_at.is_(None), StoredFile.expires_at <= now)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
