"""Delete (hide at once, purge after the grace period), restore, and list what was deleted.

deletion = await delete(session, actor, organization, ObjectKind.FILE, file_id, clock)
await restore(session, actor, organization.id, deletion.id, clock)
await delete_organization(session, actor, organization, clock)   # everything it owns too
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.errors import Conflict
from zerokeep.invalidation import policy_changed
from zerokeep.kit.clock import Clock
from zerokeep.kit.ids import new_id
from zerokeep.lifecycle import repository, scheduling
from zerokeep.lifecycle.handlers import handler_for
from zerokeep.lifecycle.kinds import ObjectKind
from zerokeep.lifecycle.schemas import DeletedObject, DeletionStatus
from zerokeep.models import Deletion, Organization, StoredFile, User

# Deleting or restoring these changes which API keys authenticate.
ACCOUNT_KINDS = frozenset({ObjectKind.ORGANIZATION, ObjectKind.USER})
MIN_GRACE_DAYS = 0
MAX_GRACE_DAYS = 30
DEFAULT_GRACE_DAYS = 7


async def delete(
    session: AsyncSession,
    actor: Actor,
    organization: Organization | None,
    kind: ObjectKind,
    object_id: str,
    clock: Clock,
    *,
    grace_days: int | None = None,
    parent: Deletion | None = None,
) -> Deletion:
    """Hide the object now and schedule its purge after the organization's grace period."""
    existing = await repository.pending_for_object(session, kind.value, object_id)
    if existing is not None:
        return existing
    now = clock.now()
    days = grace_days if grace_days is not None else _grace_of(organization)
    size = await handler_for(kind).hide(
        session, organization.id if organization else None, object_id, now
    )
    deletion = Deletion(
        id=new_id("del"),
        organization_id=organization.id if organization else None,
        object_kind=kind.value,
        object_id=object_id,
        parent_id=parent.id if parent else None,
        status=DeletionStatus.PENDING.value,
        size_bytes=size,
        deleted_by=str(actor),
        deleted_at=now,
        purge_after=parent.purge_after if parent else now + timedelta(days=days),
    )
    session.add(deletion)
    await session.flush()
    if kind in ACCOUNT_KINDS:
        policy_changed(session)  # its API keys stop working from the next request
    await audit_service.record(
        session,
        actor,
        AuditAction.DATA_DELETED,
        target=object_id,
        organization_id=deletion.organization_id,
        clock=clock,
        kind=kind.value,
        deletion_id=deletion.id,
        purge_after=deletion.purge_after.isoformat(),
    )
    await _schedule_purge(session, deletion)
    return deletion


async def delete_organization(
    session: AsyncSession, actor: Actor, organization: Organization, clock: Clock
) -> Deletion:
    """The organization and every stateful object it owns, on one grace period."""
    if organization.deleted_at is not None:
        raise Conflict("This organization is already deleted; restore it or wait for the purge.")
    parent = await delete(
        session, actor, organization, ObjectKind.ORGANIZATION, organization.id, clock
    )
    live = select(StoredFile.id).where(
        StoredFile.organization_id == organization.id, StoredFile.deleted_at.is_(None)
    )
    for file_id in list((await session.execute(live)).scalars()):
        await delete(session, actor, organization, ObjectKind.FILE, file_id, clock, parent=parent)
    return parent


async def delete_user(session: AsyncSession, actor: Actor, user: User, clock: Clock) -> Deletion:
    """The account and the files only it can see; workspace files stay with the organization."""
    if user.deleted_at is not None:
        raise Conflict("This user is already deleted; restore it or wait for the purge.")
    parent = await delete(
        session, actor, None, ObjectKind.USER, user.id, clock, grace_days=DEFAULT_GRACE_DAYS
    )
    own = select(StoredFile).where(
        StoredFile.created_by_user_id == user.id,
        StoredFile.visibility == "user",
        StoredFile.deleted_at.is_(None),
    )
    for stored in list((await session.execute(own)).scalars()):
        organization = await session.get(Organization, stored.organization_id)
        await delete(session, actor, organization, ObjectKind.FILE, stored.id, clock, parent=parent)
    return parent


async def restore(
    session: AsyncSession, actor: Actor, organization_id: str | None, deletion_id: str, clock: Clock
) -> Deletion:
    """Bring a deleted object back during its grace period (with the children deleted with it)."""
    if organization_id is None:
        deletion = await session.get(Deletion, deletion_id)
    else:
        deletion = await repository.get_for_organization(session, organization_id, deletion_id)
    if deletion is None or deletion.status != DeletionStatus.PENDING.value:
        raise Conflict("Only a pending deletion can be restored; this one is restored or purged.")
    if deletion.parent_id is not None:
        raise Conflict("This object was deleted with its organization or user: restore that.")
    if clock.now() >= deletion.purge_after:
        raise Conflict("The grace period is over: the object is being purged for good.")
    if deletion.object_kind in ACCOUNT_KINDS:
        policy_changed(session)  # its API keys work again from the next request
    for item in [*await repository.pending_children(session, deletion.id), deletion]:
        await handler_for(item.object_kind).restore(session, item.organization_id, item.object_id)
        item.status = DeletionStatus.RESTORED.value
        item.restored_at = clock.now()
    await audit_service.record(
        session,
        actor,
        AuditAction.DATA_RESTORED,
        target=deletion.object_id,
        organization_id=deletion.organization_id,
        clock=clock,
        kind=deletion.object_kind,
        deletion_id=deletion.id,
    )
    await session.flush()
    return deletion


async def list_deleted(
    session: AsyncSession, organization_id: str, *, include_purged: bool = False
) -> list[DeletedObject]:
    deletions = await repository.list_for_organization(
        session, organization_id, include_purged=include_purged
    )
    holds = await repository.active_holds_in(session, organization_id)
    held_objects = {hold.object_id for hold in holds}
    views = []
    for deletion in deletions:
        is_held = None in held_objects or deletion.object_id in held_objects
        view = DeletedObject.model_validate(deletion)
        view.is_held = is_held and deletion.status == DeletionStatus.PENDING.value
        views.append(view)
    return views


def _grace_of(organization: Organization | None) -> int:
    if organization is None:
        return DEFAULT_GRACE_DAYS
    return int(organization.deletion_grace_days)


async def _schedule_purge(session: AsyncSession, deletion: Deletion) -> None:
    """The purge job runs at `purge_after`; children are purged with their parent."""
    if deletion.parent_id is None:
        await scheduling.schedule(session, deletion.id, deletion.purge_after)
