"""Rules for organizations: creation, lookup, and the ZDR state primitive.

Plan changes and the staff ZDR switch also close ZDR requests, so they live with the requests
(zdr_request.switch), which build on this package; this package never imports them back.

org = await organization_service.create(session, CLI, name="Acme", plan=Plan.SCALE)
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.archive import purge as archive_purge
from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.db import session_clock
from zerokeep.errors import Conflict, InvalidRequest, NotFound
from zerokeep.kit.clock import Clock
from zerokeep.kit.ids import new_id
from zerokeep.models import Organization
from zerokeep.organization import repository
from zerokeep.retention.policy import OrgPolicy, Plan, StatefulPolicy, ZdrState


class ZdrRequiresScale(InvalidRequest):
    code = "zdr_requires_scale"
    default_message = "ZDR requires the Scale plan: upgrade the organization first."


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "org"


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    plan: Plan = Plan.FREE,
    slug: str | None = None,
    abuse_window_days: int = 30,
    clock: Clock | None = None,
) -> Organization:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest("An organization name must have 1 to 200 characters.")
    slug = slug or slugify(name)
    if await repository.slug_exists(session, slug):
        raise Conflict(f"An organization with the slug '{slug}' already exists.")
    now = (clock or session_clock(session)).now()
    organization = Organization(
        id=new_id("org"),
        name=name,
        slug=slug,
        plan=plan.value,
        zdr_state=ZdrState.OFF.value,
        training_opt_out=False,
        abuse_window_days=abuse_window_days,
        stateful_policy=StatefulPolicy.ALLOW.value,
        requires_upstream_zdr=False,
        created_at=now,
        updated_at=now,
    )
    session.add(organization)
    await session.flush()
    await audit_service.record(
        session,
        actor,
        AuditAction.ORGANIZATION_CREATED,
        target=organization.id,
        organization_id=organization.id,
        plan=plan.value,
    )
    return organization


async def get(session: AsyncSession, id_or_slug: str) -> Organization:
    organization = await repository.find(session, id_or_slug)
    if organization is None:
        raise NotFound("No such organization.")
    return organization


async def list_all(session: AsyncSession) -> list[Organization]:
    return await repository.list_all(session)


async def _change_zdr(
    session: AsyncSession, actor: Actor, organization: Organization, state: ZdrState, reason: str
) -> None:
    old = organization.zdr_state
    if old == state.value:
        return
    now = session_clock(session).now()
    organization.zdr_state = state.value
    organization.zdr_changed_at = now
    organization.updated_at = now
    await audit_service.record(
        session,
        actor,
        AuditAction.ZDR_CHANGED,
        target=organization.id,
        organization_id=organization.id,
        old=old,
        new=state.value,
        reason=reason,
    )
    if state is ZdrState.ACTIVE:
        await _purge_archive(session, actor, organization, now)


async def _purge_archive(
    session: AsyncSession, actor: Actor, organization: Organization, now: datetime
) -> None:
    """ZDR means nothing is kept: what was archived before it was approved is purged at once
    rather than left to its window (docs/retention.md explains the choice)."""
    result = await archive_purge.purge_organization(session, organization.id, now)
    await audit_service.record(
        session,
        actor,
        AuditAction.DATA_PURGED,
        target=organization.id,
        organization_id=organization.id,
        kind="archive",
        reason="zdr_activated",
        records=result.records_purged,
        keys_destroyed=result.keys_destroyed,
    )


async def change_zdr_state(
    session: AsyncSession, actor: Actor, organization: Organization, state: ZdrState, reason: str
) -> None:
    """Used by the ZDR request workflow to move the organization's ZDR state."""
    if state is ZdrState.ACTIVE and organization.plan != Plan.SCALE.value:
        raise ZdrRequiresScale()
    await _change_zdr(session, actor, organization, state, reason)


def to_policy(organization: Organization) -> OrgPolicy:
    """The frozen snapshot the retention decision reads."""
    return OrgPolicy(
        organization_id=organization.id,
        plan=Plan(organization.plan),
        zdr_state=ZdrState(organization.zdr_state),
        training_opt_out=organization.training_opt_out,
        abuse_window_days=organization.abuse_window_days,
        stateful_policy=StatefulPolicy(organization.stateful_policy),
        requires_upstream_zdr=organization.requires_upstream_zdr,
    )
