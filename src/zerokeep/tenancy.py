"""The one tenancy door: every tenant-scoped query is built here (DESIGN.md invariant 6).

Another organization's resource is a 404, never a 403 that would confirm it exists.

    stmt = scoped(ApiKey, organization_id).where(ApiKey.revoked_at.is_(None))
    key = await get_scoped(session, ApiKey, key_id, organization_id)  # NotFound otherwise
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from zerokeep.errors import NotFound


class TenantScoped(Protocol):
    organization_id: Any
    id: Any


T = TypeVar("T", bound=TenantScoped)


def scoped(model: type[T], organization_id: str) -> Select[T]:
    column: InstrumentedAttribute[str] = model.organization_id
    return select(model).where(column == organization_id)


async def get_scoped(
    session: AsyncSession, model: type[T], resource_id: str, organization_id: str
) -> T:
    stmt = scoped(model, organization_id).where(model.id == resource_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No such {model.__name__.lower()} in this organization.")
    return found
