"""Close open ZDR requests when the organization leaves the Scale plan or staff switch ZDR off.

Called by organization.service.set_plan (so it must not import that module back).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.db import session_clock
from zerokeep.email.templates import Template
from zerokeep.models import Organization, ZdrRequest
from zerokeep.zdr_request import notices, repository
from zerokeep.zdr_request.schemas import ZdrRequestStatus

LEFT_SCALE_REASON = "The organization left the Scale plan."
STAFF_SWITCH_REASON = "Platform staff turned Zero Data Retention off for the organization."


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
        request.decided_at = session_clock(session).now()
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
