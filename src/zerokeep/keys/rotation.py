"""Master-key rotation: re-wrap every organization key under a new master key.

Content is not re-encrypted (data keys stay wrapped by their organization key). Legacy data keys
(wrapped by the deployment secret before the hierarchy existed) move under their organization key
on the way. The new master key is stored before the database changes, and the old one is dropped
only after the transaction commits (never after a rollback), so no row is ever left wrapped by a
key that is gone. Audited with the new key's fingerprint, never key material.

    result = await rotate_master(session, key_service, actor=CLI)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit
from zerokeep.audit.actions import SYSTEM, Actor, AuditAction
from zerokeep.keys import repository
from zerokeep.keys.aad import data_key_aad, organization_key_aad
from zerokeep.keys.master import MasterKey
from zerokeep.kit.crypto import open_sealed, seal

if TYPE_CHECKING:
    # Only a type: the key service calls rotate_master, so this module must not import it back.
    from zerokeep.keys.service import KeyService


@dataclass(frozen=True, slots=True)
class Rotation:
    master_key_id: str
    organization_keys: int
    legacy_keys_upgraded: int


async def rotate_master(
    session: AsyncSession,
    keys: KeyService,
    *,
    new: MasterKey | None = None,
    actor: Actor = SYSTEM,
    reason: str = "operator",
) -> Rotation:
    await repository.lock_master(session, exclusive=True)
    keys.masters.refresh()
    master = new or MasterKey.generate()
    keys.masters.add(master)
    upgraded = await upgrade_legacy_keys(session, keys)
    rows = await repository.all_organization_keys(session)
    for row in rows:
        aad = organization_key_aad(row.organization_id)
        key = open_sealed(keys.masters.get(row.master_key_id).key, row.wrapped_key, aad)
        row.wrapped_key = seal(master.key, key, aad)
        row.master_key_id = master.id
    await session.flush()
    await audit.record(
        session,
        actor,
        AuditAction.MASTER_KEY_ROTATED,
        target=master.id,
        organization_keys=len(rows),
        legacy_keys_upgraded=upgraded,
        reason=reason,
    )
    _retire_after_commit(session, keys, master)
    return Rotation(master.id, len(rows), upgraded)


async def upgrade_legacy_keys(session: AsyncSession, keys: KeyService) -> int:
    """Re-wrap data keys made before the hierarchy under their organization's key."""
    legacy = await repository.legacy_data_keys(session)
    if not legacy:
        return 0
    legacy_key = keys.legacy_wrapping_key
    if legacy_key is None:
        raise RuntimeError("legacy data keys exist but no legacy wrapping key was given")
    upgraded = 0
    for row in legacy:
        aad = data_key_aad(row.organization_id, row.purpose)
        try:
            key = open_sealed(legacy_key, row.wrapped_key, aad)
        except InvalidTag:
            continue  # unreadable already (damaged, or another secret): nothing to protect
        organization_key_id, organization_key = await keys.organization_key_for(
            session, row.organization_id
        )
        row.wrapped_key = seal(organization_key, key, aad)
        row.organization_key_id = organization_key_id
        upgraded += 1
    await session.flush()
    return upgraded


def _retire_after_commit(session: AsyncSession, keys: KeyService, master: MasterKey) -> None:
    state = {"rolled_back": False}

    def rolled_back(_: Any, previous_transaction: Any) -> None:
        # A savepoint's rollback (a lost insert race) is not the rotation's rollback.
        if not previous_transaction.nested:
            state["rolled_back"] = True

    def committed(*_: Any) -> None:
        if not state["rolled_back"]:
            keys.masters.retire_older_than(master)

    event.listen(session.sync_session, "after_soft_rollback", rolled_back)
    event.listen(session.sync_session, "after_commit", committed, once=True)
