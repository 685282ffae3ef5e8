"""GET /v1/organization/privacy: the calling organization's privacy state."""

from __future__ import annotations

from fastapi import APIRouter

from zerokeep.dependencies import ApiKeyDep, SessionDep
from zerokeep.organization import service as organization_service
from zerokeep.organization.schemas import PrivacySettings
from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.decision import decide

router = APIRouter(prefix="/v1/organization", tags=["privacy"])


@router.get("/privacy")
async def get_privacy(context: ApiKeyDep, session: SessionDep) -> PrivacySettings:
    organization = await organization_service.get(session, context.organization_id)
    policy = organization_service.to_policy(organization)
    return PrivacySettings(
        organization_id=organization.id,
        plan=policy.plan,
        zdr=policy.zdr_state,
        zdr_changed_at=organization.zdr_changed_at,
        training_opt_out=policy.training_opt_out,
        abuse_window_days=policy.abuse_window_days,
        stateful_policy=policy.stateful_policy,
        requires_upstream_zdr=policy.requires_upstream_zdr,
        stateless_retention=decide(policy, EndpointClass.STATELESS).header_value,
    )
