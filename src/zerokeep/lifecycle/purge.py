"""Purge: remove a deleted object's rows, blobs and key for good, then sign a receipt.

Runs from the purge job (or the sweep) in its own unit of work. Idempotent: a deletion that is
not pending, not yet due, or held is left as it is and reported so.

    outcome = await purge_one(session, purger, deletion_id)     # PurgeOutcome.PURGED / HELD / ...
    count = await purge_due(sessions, purger)                    # every due deletion
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import SYSTEM, AuditAction
from zerokeep.db import unit_of_work
from zerokeep.kit.signing import deployment_id
from zerokeep.lifecycle import repository
from zerokeep.lifecycle.handlers import handler_for
from zerokeep.lifecycle.kinds import ObjectKind, Purged, Purger
from zerokeep.lifecycle.receipts import RECEIPT_FORMAT, sign_receipt
from zerokeep.lifecycle.scheduling import PURGE_JOB as PURGE_JOB
from zerokeep.lifecycle.schemas import DeletionStatus
from zerokeep.models import Deletion, Organization

if TYPE_CHECKING:
    from zerokeep.state import AppState

SWEEP_JOB = "lifecycle.sweep"


class PurgeOutcome(enum.StrEnum):
    PURGED = "purged"
    HELD = "held"  # a legal hold blocks it: lifting the hold reschedules it
    NOT_DUE = "not_due"
    NOT_PENDING = "not_pending"  # restored, already purged, or unknown: nothing to do


def purger_for(state: AppState) -> Purger:
    """The running deployment's purger: its blob store and keys, clock, receipt-signing key."""
    return Purger(state.files, state.clock, state.keys.report_signing_seed)


async def purge_one(session: AsyncSession, purger: Purger, deletion_id: str) -> PurgeOutcome:
    deletion = await repository.lock(session, deletion_id)
    if deletion is None or deletion.status != DeletionStatus.PENDING.value:
        return PurgeOutcome.NOT_PENDING
    if purger.clock.now() < deletion.purge_after:
        return PurgeOutcome.NOT_DUE
    if await _is_held(session, deletion):
        return PurgeOutcome.HELD
    for child in await repository.pending_children(session, deletion.id):
        await _purge_and_receipt(session, purger, child)
    await _purge_and_receipt(session, purger, deletion)
    return PurgeOutcome.PURGED


async def purge_due(sessions: async_sessionmaker[AsyncSession], purger: Purger) -> int:
    """Delete files past their `expiry`, then purge every due deletion, each in its own unit
    of work; returns how many were purged."""
    async with unit_of_work(sessions) as session:
        await _delete_expired_files(session, purger)
    async with unit_of_work(sessions) as session:
        due = await repository.due(session, purger.clock.now())
    purged = 0
    for deletion_id in due:
        async with unit_of_work(sessions) as session:
            if await purge_one(session, purger, deletion_id) is PurgeOutcome.PURGED:
                purged += 1
    return purged


async def _delete_expired_files(session: AsyncSession, purger: Purger) -> None:
    """A file uploaded with an `expiry` is deleted then, through the same lifecycle."""
    from zerokeep.lifecycle import service as lifecycle_service

    for stored in await repository.expired_files(session, purger.clock.now()):
        organization = await session.get(Organization, stored.organization_id)
        await lifecycle_service.delete(
            session, SYSTEM, organization, ObjectKind.FILE, stored.id, purger.clock
        )


async def _is_held(session: AsyncSession, deletion: Deletion) -> bool:
    if deletion.object_kind == ObjectKind.ORGANIZATION and deletion.organization_id is not None:
        return bool(await repository.active_holds_in(session, deletion.organization_id))
    if await repository.blocking_holds(session, deletion.organization_id, deletion.object_id):
        return True
    for child in await repository.pending_children(session, deletion.id):
        if await repository.blocking_holds(session, child.organization_id, child.object_id):
            return True
    return False


async def _purge_and_receipt(session: AsyncSession, purger: Purger, deletion: Deletion) -> None:
    purged: Purged = await handler_for(deletion.object_kind).purge(
        session, purger, deletion.organization_id, deletion.object_id
    )
    now = purger.clock.now()
    deletion.status = DeletionStatus.PURGED.value
    deletion.purged_at = now
    deletion.size_bytes = purged.size_bytes or deletion.size_bytes
    body = {
        "format": RECEIPT_FORMAT,
        "deployment": deployment_id(purger.signing_seed),
        "deletion_id": deletion.id,
        "organization_id": deletion.organization_id,
        "object_kind": deletion.object_kind,
        "object_id": deletion.object_id,
        "parent_deletion_id": deletion.parent_id,
        "size_bytes": deletion.size_bytes,
        "rows_deleted": purged.rows_deleted,
        "keys_destroyed": purged.keys_destroyed,
        "deleted_by": deletion.deleted_by,
        "deleted_at": deletion.deleted_at.isoformat(),
        "purge_after": deletion.purge_after.isoformat(),
        "purged_at": now.isoformat(),
    }
    deletion.receipt = sign_receipt(body, purger.signing_seed)
    await audit_service.record(
        session,
        SYSTEM,
        AuditAction.DATA_PURGED,
        target=deletion.object_id,
        organization_id=deletion.organization_id,
        clock=purger.clock,
        kind=deletion.object_kind,
        deletion_id=deletion.id,
        size_bytes=deletion.size_bytes,
        keys_destroyed=purged.keys_destroyed,
    )
    await session.flush()
