"""GET and PATCH /v1/organization/privacy: the calling organization's privacy state."""

from __future__ import annotations

from fastapi import APIRouter

from zerokeep.auth import access
from zerokeep.db import unit_of_work
from zerokeep.dependencies import ApiKeyDep, SessionDep, StateDep
from zerokeep.organization import service as organization_service
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import PrivacySettings, PrivacyUpdate

router = APIRouter(prefix="/v1/organization", tags=["privacy"])


@router.get("/privacy")
async def get_privacy(context: ApiKeyDep, session: SessionDep) -> PrivacySettings:
    organization = await organization_service.get(session, context.organization_id)
    return await privacy_service.read(session, organization)


@router.patch("/privacy")
async def update_privacy(
    changes: PrivacyUpdate, context: ApiKeyDep, state: StateDep
) -> PrivacySettings:
    """Owner or admin: change training opt-out, abuse window, stateful policy, upstream ZDR."""
    async with unit_of_work(state.sessions) as session:
        organization = await organization_service.get(session, context.organization_id)
        role = await access.role_of(session, context)
        await privacy_service.update(session, access.actor_of(context), organization, role, changes)
        return await privacy_service.read(session, organization)
