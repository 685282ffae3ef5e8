"""How an organization's ZDR state changes outside a request's review: the staff switch, and a
plan change (leaving Scale revokes ZDR). Either closes the organization's open ZDR requests as
revoked, audited, with the requester emailed.

await zdr_switch.set_zdr(session, CLI, organization, enabled=True)
await zdr_switch.set_plan(session, actor, organization, Plan.FREE)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.email.templates import Template
from zerokeep.kit.clock import SystemClock
from zerokeep.models import Organization, ZdrRequest
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan, ZdrState
from zerokeep.zdr_request import notices, repository
from zerokeep.zdr_request.schemas import ZdrRequestStatus

LEFT_SCALE_REASON = "The organization left the Scale plan."
STAFF_SWITCH_REASON = "Platform staff turned Zero Data Retention off for the organization."


async def set_plan(
    session: AsyncSession, actor: Actor, organization: Organization, plan: Plan
) -> Organization:
    """Change the plan; leaving Scale revokes active or pending ZDR and closes open ZDR
    requests as revoked (audited as such, requester emailed)."""
    old = organization.plan
    if old == plan.value:
        return organization
    organization.plan = plan.value
    organization.updated_at = SystemClock().now()
    await audit_service.record(
        session,
        actor,
        AuditAction.PLAN_CHANGED,
        target=organization.id,
        organization_id=organization.id,
        old=old,
        new=plan.value,
    )
    if plan is not Plan.SCALE and organization.zdr_state in (ZdrState.ACTIVE, ZdrState.PENDING):
        await organization_service.change_zdr_state(
            session, actor, organization, ZdrState.REVOKED, reason="left_scale_plan"
        )
    if plan is not Plan.SCALE:
        # Pending and approved requests are closed as revoked, and the requester is emailed.
        await revoke_open_requests(session, actor, organization)
    return organization


async def set_zdr(
    session: AsyncSession, actor: Actor, organization: Organization, *, enabled: bool
) -> Organization:
    """The staff switch: turn ZDR on (Scale only) or revoke it."""
    if enabled:
        if organization.plan != Plan.SCALE.value:
            raise organization_service.ZdrRequiresScale()
        await organization_service.change_zdr_state(
            session, actor, organization, ZdrState.ACTIVE, reason="staff_switch"
        )
    elif organization.zdr_state == ZdrState.ACTIVE.value:
        await organization_service.change_zdr_state(
            session, actor, organization, ZdrState.REVOKED, reason="staff_switch"
        )
        # The approved request that turned it on is closed too, and its requester told.
        await revoke_open_requests(
            session,
            actor,
            organization,
            decision_reason=STAFF_SWITCH_REASON,
            audit_reason="staff_switch",
        )
    return organization


async def revoke_open_requests(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    *,
    decision_reason: str = LEFT_SCALE_REASON,
    audit_reason: str = "left_scale_plan",
) -> list[ZdrRequest]:
    """Mark pending and approved requests revoked, audit each, and email the requester."""
    revoked = []
    for request in await repository.find_with_status(
        session, organization.id, repository.OPEN_STATUSES
    ):
        old = request.status
        request.status = ZdrRequestStatus.REVOKED.value
        request.reviewer = str(actor)
        request.decision_reason = decision_reason
        request.decided_at = SystemClock().now()
        await audit_service.record(
            session,
            actor,
            AuditAction.ZDR_REQUEST_REVOKED,
            target=request.id,
            organization_id=organization.id,
            old=old,
            new=request.status,
            reason=audit_reason,
        )
        await notices.to_requester(session, request, organization, Template.ZDR_REVOKED)
        revoked.append(request)
    await session.flush()
    return revoked
