"""Every query on ZDR requests (and the staff addresses their notices go to)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.models import Organization, User, ZdrRequest
from zerokeep.tenancy import scoped
from zerokeep.zdr_request.schemas import ZdrRequestStatus

OPEN_STATUSES = (ZdrRequestStatus.PENDING.value, ZdrRequestStatus.APPROVED.value)


async def list_for_organization(session: AsyncSession, organization_id: str) -> list[ZdrRequest]:
    stmt = scoped(ZdrRequest, organization_id).order_by(ZdrRequest.created_at.desc(), ZdrRequest.id)
    return list((await session.execute(stmt)).scalars())


async def latest_for_organization(session: AsyncSession, organization_id: str) -> ZdrRequest | None:
    stmt = (
        scoped(ZdrRequest, organization_id)
        .order_by(ZdrRequest.created_at.desc(), ZdrRequest.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_with_status(
    session: AsyncSession, organization_id: str, statuses: tuple[str, ...]
) -> list[ZdrRequest]:
    stmt = scoped(ZdrRequest, organization_id).where(ZdrRequest.status.in_(statuses))
    return list((await session.execute(stmt)).scalars())


async def pending_with_organizations(
    session: AsyncSession,
) -> list[tuple[ZdrRequest, Organization]]:
    stmt = (
        select(ZdrRequest, Organization)
        .join(Organization, Organization.id == ZdrRequest.organization_id)
        .where(ZdrRequest.status == ZdrRequestStatus.PENDING.value)
        .order_by(ZdrRequest.created_at, ZdrRequest.id)
    )
    return [
        (request, organization) for request, organization in (await session.execute(stmt)).all()
    ]


async def find_for_decision(
    session: AsyncSession, request_id: str, organization_id: str | None
) -> ZdrRequest | None:
    """The request, row-locked on PostgreSQL so two reviewers cannot both decide it; scoped to
    `organization_id` when the caller is the organization, any organization's for staff."""
    stmt = select(ZdrRequest) if organization_id is None else scoped(ZdrRequest, organization_id)
    stmt = stmt.where(ZdrRequest.id == request_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_any(session: AsyncSession, request_id: str) -> ZdrRequest | None:
    """Staff only: a request of any organization."""
    return await session.get(ZdrRequest, request_id)


async def staff_addresses(session: AsyncSession) -> list[str]:
    stmt = select(User.email).where(User.is_platform_staff.is_(True)).order_by(User.email)
    return list((await session.execute(stmt)).scalars())


async def user_email(session: AsyncSession, user_id: str) -> str | None:
    stmt = select(User.email).where(User.id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_all(session: AsyncSession, limit: int) -> list[tuple[ZdrRequest, Organization]]:
    """Staff and operator: every organization's requests, newest first."""
    stmt = (
        select(ZdrRequest, Organization)
        .join(Organization, Organization.id == ZdrRequest.organization_id)
        .order_by(ZdrRequest.created_at.desc(), ZdrRequest.id)
        .limit(limit)
    )
    return [
        (request, organization) for request, organization in (await session.execute(stmt)).all()
    ]
