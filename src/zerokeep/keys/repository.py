"""Every query of the key hierarchy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import ArchiveRecord, EncryptionKey, OrganizationKey

RowT = TypeVar("RowT", EncryptionKey, OrganizationKey)

# A rotation takes it exclusively; making an organization key takes it shared, so no new key can
# be wrapped by a master key that a concurrent rotation is retiring (PostgreSQL; SQLite units of
# work are serialised by BEGIN IMMEDIATE already).
_MASTER_LOCK_KEY = 0x7A6B_6D6B


async def lock_master(session: AsyncSession, *, exclusive: bool) -> None:
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await session.execute(text(f"SELECT {function}(:key)"), {"key": _MASTER_LOCK_KEY})


async def find_data_key(
    session: AsyncSession, organization_id: str, purpose: str
) -> EncryptionKey | None:
    stmt = select(EncryptionKey).where(
        EncryptionKey.organization_id == organization_id, EncryptionKey.purpose == purpose
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_data_key(session: AsyncSession, key_id: str) -> EncryptionKey | None:
    stmt = select(EncryptionKey).where(EncryptionKey.id == key_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_organization_key(
    session: AsyncSession, organization_id: str
) -> OrganizationKey | None:
    stmt = select(OrganizationKey).where(OrganizationKey.organization_id == organization_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_organization_key(session: AsyncSession, key_id: str) -> OrganizationKey | None:
    stmt = select(OrganizationKey).where(OrganizationKey.id == key_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def all_organization_keys(session: AsyncSession) -> Sequence[OrganizationKey]:
    stmt = select(OrganizationKey).order_by(OrganizationKey.id).with_for_update()
    return (await session.execute(stmt)).scalars().all()


async def legacy_data_keys(session: AsyncSession) -> Sequence[EncryptionKey]:
    stmt = select(EncryptionKey).where(EncryptionKey.organization_key_id.is_(None))
    return (await session.execute(stmt.with_for_update())).scalars().all()


async def insert_or_existing(
    session: AsyncSession, row: RowT, reread: Callable[[], Awaitable[RowT | None]]
) -> RowT:
    """Insert `row`, or return the row another process inserted first (unique constraint)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
        return row
    except IntegrityError:
        existing = await reread()
        if existing is None:
            raise
        return existing


async def delete_data_key(session: AsyncSession, key_id: str) -> bool:
    result = await session.execute(delete(EncryptionKey).where(EncryptionKey.id == key_id))
    return bool(getattr(result, "rowcount", 0))


async def delete_organization_keys(session: AsyncSession, organization_id: str) -> set[str]:
    """Delete the organization's key, its data keys, and the archive rows sealed by them (they
    reference the keys and could never be read again); returns the ids of the keys deleted."""
    data_ids = select(EncryptionKey.id).where(EncryptionKey.organization_id == organization_id)
    org_ids = select(OrganizationKey.id).where(OrganizationKey.organization_id == organization_id)
    destroyed = set((await session.execute(data_ids)).scalars())
    destroyed |= set((await session.execute(org_ids)).scalars())
    await session.execute(
        delete(ArchiveRecord).where(ArchiveRecord.organization_id == organization_id)
    )
    await session.execute(
        delete(EncryptionKey).where(EncryptionKey.organization_id == organization_id)
    )
    await session.execute(
        delete(OrganizationKey).where(OrganizationKey.organization_id == organization_id)
    )
    return destroyed
