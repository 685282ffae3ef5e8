"""Every query on files; tenant-scoped through the one door (tenancy.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.errors import NotFound
from zerokeep.models import StoredFile
from zerokeep.tenancy import scoped


@dataclass(frozen=True, slots=True)
class FileFilter:
    purpose: str | None = None
    sample_types: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    mimetypes: list[str] = field(default_factory=list)
    search: str | None = None


def visible(organization_id: str, user_id: str | None) -> Select[StoredFile]:
    """Live files the caller may see: the workspace's, and its own user-visibility files."""
    stmt = scoped(StoredFile, organization_id).where(StoredFile.deleted_at.is_(None))
    mine = StoredFile.created_by_user_id == user_id if user_id else false()
    return stmt.where(or_(StoredFile.visibility == "workspace", mine))


async def get_visible(
    session: AsyncSession, organization_id: str, user_id: str | None, file_id: str
) -> StoredFile:
    stmt = visible(organization_id, user_id).where(StoredFile.id == file_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such file in this organization.")
    return found


async def page(
    session: AsyncSession,
    organization_id: str,
    user_id: str | None,
    filters: FileFilter,
    page_number: int,
    page_size: int,
) -> tuple[list[StoredFile], int]:
    stmt = visible(organization_id, user_id)
    if filters.purpose:
        stmt = stmt.where(StoredFile.purpose == filters.purpose)
    if filters.sample_types:
        stmt = stmt.where(StoredFile.sample_type.in_(filters.sample_types))
    if filters.sources:
        stmt = stmt.where(StoredFile.source.in_(filters.sources))
    if filters.mimetypes:
        stmt = stmt.where(StoredFile.mimetype.in_(filters.mimetypes))
    if filters.search:
        escaped = filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(StoredFile.filename.ilike(f"%{escaped}%", escape="\\"))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(StoredFile.created_at.desc(), StoredFile.id)
        .offset(page_number * page_size)
        .limit(page_size)
    )
    return list(rows.scalars()), int(total)


async def find_live(session: AsyncSession, file_id: str) -> StoredFile | None:
    """By id alone: only for a signed URL, whose signature already names the file."""
    stmt = select(StoredFile).where(StoredFile.id == file_id, StoredFile.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()
