"""Record audit events into the hash chain, and verify the chain.

await audit_service.record(session, CLI, AuditAction.PLAN_CHANGED, target=org.id,
                           organization_id=org.id, old="free", new="scale")
report = await audit_service.verify_chain(session)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep import invalidation
from zerokeep.audit.actions import POLICY_ACTIONS, Actor, AuditAction
from zerokeep.db import session_clock
from zerokeep.kit.clock import Clock
from zerokeep.models import AuditEvent

GENESIS_HASH = "0" * 64
# Serialises chain appends across PostgreSQL connections (SQLite serialises writers itself).
_CHAIN_LOCK_KEY = 0x7A6B_0A0D

DetailValue = str | int | bool | None


def _event_hash(
    previous_hash: str,
    occurred_at: datetime,
    actor: str,
    organization_id: str | None,
    action: str,
    target: str,
    details: dict[str, DetailValue],
) -> str:
    canonical = orjson.dumps(
        [previous_hash, occurred_at.isoformat(), actor, organization_id, action, target, details],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


async def record(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    *,
    target: str,
    organization_id: str | None = None,
    clock: Clock | None = None,
    **details: DetailValue,
) -> AuditEvent:
    """Append one event. Details are scalar metadata (ids, states, counts), never content."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = (
        await session.execute(select(AuditEvent.event_hash).order_by(AuditEvent.id.desc()).limit(1))
    ).scalar_one_or_none()
    previous_hash = last or GENESIS_HASH
    occurred_at = (clock or session_clock(session)).now().replace(microsecond=0)
    event = AuditEvent(
        occurred_at=occurred_at,
        actor=str(actor),
        organization_id=organization_id,
        action=action.value,
        target=target,
        details=details,
        previous_hash=previous_hash,
        event_hash=_event_hash(
            previous_hash, occurred_at, str(actor), organization_id, action.value, target, details
        ),
    )
    session.add(event)
    await session.flush()
    if action in POLICY_ACTIONS:
        invalidation.policy_changed(session)
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    is_intact: bool
    events_checked: int
    first_broken_event_id: int | None = None

    @property
    def summary(self) -> str:
        if self.is_intact:
            return f"Audit chain intact: {self.events_checked} events verified."
        return (
            f"Audit chain BROKEN at event {self.first_broken_event_id} "
            f"({self.events_checked} events checked before it)."
        )


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    previous_hash = GENESIS_HASH
    checked = 0
    result = await session.stream(select(AuditEvent).order_by(AuditEvent.id))
    async for event in result.scalars():
        expected = _event_hash(
            previous_hash,
            event.occurred_at,
            event.actor,
            event.organization_id,
            event.action,
            event.target,
            event.details,
        )
        if event.previous_hash != previous_hash or event.event_hash != expected:
            return ChainReport(False, checked, event.id)
        previous_hash = event.event_hash
        checked += 1
    return ChainReport(True, checked)


async def list_events(
    session: AsyncSession,
    organization_id: str | None = None,
    limit: int = 100,
    *,
    before_id: int | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> list[AuditEvent]:
    """Events newest first; page with `before_id` (the last id of the previous page)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if organization_id is not None:
        stmt = stmt.where(AuditEvent.organization_id == organization_id)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    return list((await session.execute(stmt)).scalars())


async def count_events(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count(AuditEvent.id)))).scalar_one())
