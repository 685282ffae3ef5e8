"""An organization's monthly token budget (a governance change: audited)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.errors import InvalidRequest
from zerokeep.kit.clock import SystemClock
from zerokeep.models import Organization

MAX_BUDGET = 10**15


async def set_monthly_token_budget(
    session: AsyncSession, actor: Actor, organization: Organization, tokens: int | None
) -> Organization:
    """Set (or with None remove) the tokens the organization may spend per month (UTC).

    Calls past it get 429 monthly_budget_spent until the 1st of the next month.
    """
    if tokens is not None and not 1 <= tokens <= MAX_BUDGET:
        raise InvalidRequest(
            "monthly_token_budget must be a whole number from 1.", param="monthly_token_budget"
        )
    old = organization.monthly_token_budget
    if old == tokens:
        return organization
    organization.monthly_token_budget = tokens
    organization.updated_at = SystemClock().now()
    await audit_service.record(
        session,
        actor,
        AuditAction.BUDGET_CHANGED,
        target=organization.id,
        organization_id=organization.id,
        old=old,
        new=tokens,
    )
    return organization
