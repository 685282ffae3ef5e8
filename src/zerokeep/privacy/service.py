"""Privacy settings: read them, and change them (owner or admin; each change audited).

settings = await privacy_service.read(session, organization)
await privacy_service.update(session, actor, organization, Role.ADMIN,
                             PrivacyUpdate(training_opt_out=True, abuse_window_days=7))
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.errors import InvalidRequest, PermissionDenied
from zerokeep.kit.clock import SystemClock
from zerokeep.models import Organization
from zerokeep.organization import service as organization_service
from zerokeep.privacy.schemas import MAX_ABUSE_WINDOW_DAYS, PrivacySettings, PrivacyUpdate
from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.decision import decide
from zerokeep.user.roles import Role
from zerokeep.zdr_request import repository as zdr_request_repository
from zerokeep.zdr_request.schemas import ZdrRequestSummary


async def read(session: AsyncSession, organization: Organization) -> PrivacySettings:
    """The organization's privacy state, the regime of its stateless calls, its latest request."""
    policy = organization_service.to_policy(organization)
    latest = await zdr_request_repository.latest_for_organization(session, organization.id)
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
        zdr_request=ZdrRequestSummary.model_validate(latest) if latest else None,
    )


async def update(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    role: Role,
    changes: PrivacyUpdate,
) -> Organization:
    """Apply the given changes; each one that changes a value is audited with old and new."""
    if not role.can_manage_privacy:
        raise PermissionDenied("Only an owner or admin of the organization can change privacy.")
    days = changes.abuse_window_days
    if days is not None and not 0 <= days <= MAX_ABUSE_WINDOW_DAYS:
        raise InvalidRequest(
            f"The abuse-monitoring window is 0 to {MAX_ABUSE_WINDOW_DAYS} days "
            "(0 keeps nothing in the archive).",
            param="abuse_window_days",
        )
    wanted: list[tuple[str, AuditAction, bool | int | str | None]] = [
        ("training_opt_out", AuditAction.TRAINING_OPT_OUT_CHANGED, changes.training_opt_out),
        ("abuse_window_days", AuditAction.ABUSE_WINDOW_CHANGED, days),
        (
            "stateful_policy",
            AuditAction.STATEFUL_POLICY_CHANGED,
            changes.stateful_policy.value if changes.stateful_policy else None,
        ),
        (
            "requires_upstream_zdr",
            AuditAction.UPSTREAM_ZDR_CHANGED,
            changes.requires_upstream_zdr,
        ),
    ]
    changed = False
    for field, action, new in wanted:
        old = getattr(organization, field)
        if new is None or old == new:
            continue
        setattr(organization, field, new)
        changed = True
        await audit_service.record(
            session,
            actor,
            action,
            target=organization.id,
            organization_id=organization.id,
            old=old,
            new=new,
        )
    if changed:
        organization.updated_at = SystemClock().now()
        await session.flush()
    return organization
