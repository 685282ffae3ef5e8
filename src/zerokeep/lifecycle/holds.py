"""Legal holds: placed by platform staff with a reason, visible to the organization, audited.

While a hold is active, nothing it covers is purged (the purge reports HELD and leaves it);
lifting it reschedules every pending deletion it covered.

    hold = await place(session, actor, organization_id, reason, clock, object_id=None)
    await lift(session, actor, hold.id, clock)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.errors import Conflict, InvalidRequest, NotFound
from zerokeep.kit.clock import Clock
from zerokeep.kit.ids import new_id
from zerokeep.lifecycle import repository, scheduling
from zerokeep.lifecycle.schemas import DeletionStatus
from zerokeep.models import Deletion, LegalHold

MAX_REASON_LENGTH = 500


async def place(
    session: AsyncSession,
    actor: Actor,
    organization_id: str,
    reason: str,
    clock: Clock,
    *,
    object_kind: str | None = None,
    object_id: str | None = None,
) -> LegalHold:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InvalidRequest(
            f"A legal hold needs a reason of 1 to {MAX_REASON_LENGTH} characters.", param="reason"
        )
    hold = LegalHold(
        id=new_id("hold"),
        organization_id=organization_id,
        object_kind=object_kind,
        object_id=object_id,
        reason=reason,
        placed_by=str(actor),
        placed_at=clock.now(),
    )
    session.add(hold)
    await session.flush()
    await audit_service.record(
        session,
        actor,
        AuditAction.LEGAL_HOLD_CHANGED,
        target=object_id or organization_id,
        organization_id=organization_id,
        clock=clock,
        hold_id=hold.id,
        state="placed",
        reason=reason,
    )
    return hold


async def lift(session: AsyncSession, actor: Actor, hold_id: str, clock: Clock) -> LegalHold:
    hold = await repository.get_hold(session, hold_id)
    if hold is None:
        raise NotFound("No such legal hold.")
    if hold.lifted_at is not None:
        raise Conflict("This legal hold is already lifted.")
    hold.lifted_at = clock.now()
    hold.lifted_by = str(actor)
    await audit_service.record(
        session,
        actor,
        AuditAction.LEGAL_HOLD_CHANGED,
        target=hold.object_id or hold.organization_id,
        organization_id=hold.organization_id,
        clock=clock,
        hold_id=hold.id,
        state="lifted",
    )
    # What the hold kept past its purge date is due now: schedule it again.
    pending = select(Deletion).where(
        Deletion.organization_id == hold.organization_id,
        Deletion.status == DeletionStatus.PENDING.value,
        Deletion.parent_id.is_(None),
    )
    now = clock.now()
    for deletion in (await session.execute(pending)).scalars():
        await scheduling.schedule(session, deletion.id, max(now, deletion.purge_after))
    await session.flush()
    return hold


async def list_for_organization(session: AsyncSession, organization_id: str) -> list[LegalHold]:
    return await repository.holds_for_organization(session, organization_id)
