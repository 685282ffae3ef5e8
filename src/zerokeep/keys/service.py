"""KeyService: the key hierarchy (master key -> organization keys -> data keys, AES-256-GCM).

A data key encrypts one object (a file, a batch output, a day of archive records); it is wrapped
by its organization's key, which is wrapped by the deployment master key (`keys/master.py`).
Destroying a data key shreds one object; destroying an organization key shreds everything the
organization had, and (when zerokeep manages the master key) rotates the master key so that a
copy of the database taken before the deletion cannot be opened with the keys that remain.

    keys = KeyService(load_master_keys(settings))
    key_id, key = await keys.data_key_for(session, "org_1", "file:file_123")
    key = await keys.open_data_key(session, key_id)      # KeyDestroyed once it is gone
    await keys.destroy_key(session, key_id)              # purge of one object
    await keys.destroy_organization_key(session, "org_1")  # organization deletion
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit
from zerokeep.audit.actions import SYSTEM, Actor, AuditAction
from zerokeep.config import Settings
from zerokeep.keys import repository
from zerokeep.keys.aad import data_key_aad, organization_key_aad
from zerokeep.keys.cache import KeyCache
from zerokeep.keys.master import MasterKeys, load_master_keys
from zerokeep.keys.rotation import rotate_master
from zerokeep.kit.clock import Clock, SystemClock
from zerokeep.kit.crypto import new_data_key, open_sealed, seal
from zerokeep.kit.ids import new_id
from zerokeep.models import EncryptionKey, OrganizationKey


class KeyDestroyed(LookupError):
    """The key does not exist any more (destroyed), so what it sealed cannot be read."""


@dataclass(frozen=True, slots=True)
class OrganizationKeyDestroyed:
    keys_destroyed: int
    master_rotated: bool


class KeyService:
    """The one door to every encryption key. `legacy_wrapping_key` opens data keys made before
    the hierarchy existed (wrapped by the deployment secret's key-wrapping subkey)."""

    def __init__(
        self,
        masters: MasterKeys,
        *,
        legacy_wrapping_key: bytes | None = None,
        clock: Clock | None = None,
        cache: KeyCache | None = None,
    ) -> None:
        self.masters = masters
        self.cache = cache or KeyCache()
        self.legacy_wrapping_key = legacy_wrapping_key
        self._clock = clock or SystemClock()

    def __repr__(self) -> str:
        return f"<KeyService master={self.masters.current.id}>"

    async def data_key_for(
        self, session: AsyncSession, organization_id: str, purpose: str
    ) -> tuple[str, bytes]:
        """The data key for this organization and purpose, made on first use (one per pair,
        also when two processes ask at once)."""
        row = await repository.find_data_key(session, organization_id, purpose)
        if row is not None:
            return row.id, await self._unwrap_data_key(session, row)
        organization_key_id, organization_key = await self.organization_key_for(
            session, organization_id
        )
        key = new_data_key()
        candidate = EncryptionKey(
            id=new_id("dk"),
            organization_id=organization_id,
            purpose=purpose,
            organization_key_id=organization_key_id,
            wrapped_key=seal(organization_key, key, data_key_aad(organization_id, purpose)),
            created_at=self._clock.now(),
        )
        stored = await repository.insert_or_existing(
            session,
            candidate,
            lambda: repository.find_data_key(session, organization_id, purpose),
        )
        if stored is not candidate:
            return stored.id, await self._unwrap_data_key(session, stored)
        self.cache.put(stored.id, stored.wrapped_key, key)
        return stored.id, key

    async def open_data_key(self, session: AsyncSession, key_id: str) -> bytes:
        """The data key with this id; raises KeyDestroyed if it (or its organization's key) is
        gone, checked against the database on every call, whatever this process cached."""
        row = await repository.get_data_key(session, key_id)
        if row is None:
            raise KeyDestroyed(key_id)
        return await self._unwrap_data_key(session, row)

    async def destroy_key(self, session: AsyncSession, key_id: str) -> bool:
        """Delete one data key (its object's purge); rows sealed by it must be gone first."""
        deleted = await repository.delete_data_key(session, key_id)
        self.cache.destroyed({key_id})
        return deleted

    async def destroy_organization_key(
        self, session: AsyncSession, organization_id: str, *, actor: Actor = SYSTEM
    ) -> OrganizationKeyDestroyed:
        """Delete the organization's key and every data key under it (and the archive rows they
        sealed); audited. A managed master key is rotated in the same transaction so that
        copies of the organization key in backups can no longer be unwrapped."""
        destroyed = await repository.delete_organization_keys(session, organization_id)
        await audit.record(
            session,
            actor,
            AuditAction.ORGANIZATION_KEY_DESTROYED,
            target=organization_id,
            organization_id=organization_id,
            clock=self._clock,
            keys_destroyed=len(destroyed),
        )
        self.cache.destroyed(destroyed)
        rotated = False
        if destroyed and self.masters.is_managed:
            await rotate_master(session, self, actor=actor, reason="organization_key_destroyed")
            rotated = True
        return OrganizationKeyDestroyed(len(destroyed), rotated)

    async def organization_key_for(
        self, session: AsyncSession, organization_id: str
    ) -> tuple[str, bytes]:
        """The organization's key (id, bytes), made on first use; content never uses it
        directly, it only wraps data keys."""
        row = await repository.find_organization_key(session, organization_id)
        if row is not None:
            return row.id, self._unwrap_organization_key(row)
        key = new_data_key()
        # Another process may have rotated the master key: wrap with the one current now.
        await repository.lock_master(session, exclusive=False)
        self.masters.refresh()
        master = self.masters.current
        candidate = OrganizationKey(
            id=new_id("ok"),
            organization_id=organization_id,
            master_key_id=master.id,
            wrapped_key=seal(master.key, key, organization_key_aad(organization_id)),
            created_at=self._clock.now(),
        )
        stored = await repository.insert_or_existing(
            session, candidate, lambda: repository.find_organization_key(session, organization_id)
        )
        if stored is not candidate:
            return stored.id, self._unwrap_organization_key(stored)
        self.cache.put(stored.id, stored.wrapped_key, key)
        return stored.id, key

    def _unwrap_organization_key(self, row: OrganizationKey) -> bytes:
        cached = self.cache.get(row.id, row.wrapped_key)
        if cached is not None:
            return cached
        master = self.masters.get(row.master_key_id)
        key = open_sealed(master.key, row.wrapped_key, organization_key_aad(row.organization_id))
        self.cache.put(row.id, row.wrapped_key, key)
        return key

    async def _unwrap_data_key(self, session: AsyncSession, row: EncryptionKey) -> bytes:
        cached = self.cache.get(row.id, row.wrapped_key)
        if cached is not None:
            # The organization key must still exist too (another process may have destroyed
            # it; its data keys went in the same transaction, so this is belt and braces).
            organization_key_id = row.organization_key_id
            if organization_key_id is not None and (
                await repository.get_organization_key(session, organization_key_id) is None
            ):
                raise KeyDestroyed(row.id)
            return cached
        wrapping_key = await self._wrapping_key_of(session, row)
        aad = data_key_aad(row.organization_id, row.purpose)
        key = open_sealed(wrapping_key, row.wrapped_key, aad)
        self.cache.put(row.id, row.wrapped_key, key)
        return key

    async def _wrapping_key_of(self, session: AsyncSession, row: EncryptionKey) -> bytes:
        if row.organization_key_id is None:
            if self.legacy_wrapping_key is None:
                raise KeyDestroyed(row.id)
            return self.legacy_wrapping_key
        organization_row = await repository.get_organization_key(session, row.organization_key_id)
        if organization_row is None:
            raise KeyDestroyed(row.id)
        return self._unwrap_organization_key(organization_row)


def key_service_from_settings(
    settings: Settings, *, legacy_wrapping_key: bytes | None, clock: Clock | None = None
) -> KeyService:
    """The deployment's key service: master key from settings or the data directory."""
    return KeyService(
        load_master_keys(settings), legacy_wrapping_key=legacy_wrapping_key, clock=clock
    )
