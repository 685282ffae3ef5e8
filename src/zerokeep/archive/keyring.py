"""Per-organization data keys, wrapped by the deployment's key-wrapping key.

Archive keys are per organization AND per UTC day: once a day's records are purged its key is
destroyed, so any copy of their ciphertext that outlives the rows (a database's dead tuples or
WAL, a backup) can no longer be read (crypto-shredding, DESIGN.md invariant 5).

    keyring = KeyRing(wrapping_key)
    key_id, key = await keyring.data_key(session, "org_1", archive_purpose(now))
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.kit.clock import SystemClock
from zerokeep.kit.crypto import new_data_key, open_sealed, seal
from zerokeep.kit.ids import new_id
from zerokeep.models import EncryptionKey

ARCHIVE_PURPOSE = "archive"


def archive_purpose(when: datetime) -> str:
    """The purpose of the archive key for records made on `when`'s UTC day."""
    return f"{ARCHIVE_PURPOSE}:{when:%Y-%m-%d}"


class KeyRing:
    def __init__(self, wrapping_key: bytes) -> None:
        self._wrapping_key = wrapping_key
        self._cache: dict[tuple[str, str], tuple[str, bytes]] = {}

    def _aad(self, organization_id: str, purpose: str) -> bytes:
        return f"{organization_id}/{purpose}".encode()

    async def data_key(
        self, session: AsyncSession, organization_id: str, purpose: str
    ) -> tuple[str, bytes]:
        cached = self._cache.get((organization_id, purpose))
        if cached is not None:
            return cached
        stmt = select(EncryptionKey).where(
            EncryptionKey.organization_id == organization_id, EncryptionKey.purpose == purpose
        )
        row = (await session.execute(stmt.limit(1))).scalar_one_or_none()
        if row is None:
            key = new_data_key()
            row = EncryptionKey(
                id=new_id("dk"),
                organization_id=organization_id,
                purpose=purpose,
                wrapped_key=seal(self._wrapping_key, key, self._aad(organization_id, purpose)),
                created_at=SystemClock().now(),
            )
            session.add(row)
            await session.flush()
        else:
            key = open_sealed(
                self._wrapping_key, row.wrapped_key, self._aad(organization_id, purpose)
            )
        self._cache[(organization_id, purpose)] = (row.id, key)
        return row.id, key

    async def key_by_id(self, session: AsyncSession, key_id: str) -> bytes | None:
        row = await session.get(EncryptionKey, key_id)
        if row is None:
            return None
        return open_sealed(
            self._wrapping_key, row.wrapped_key, self._aad(row.organization_id, row.purpose)
        )

    def forget(self, key_ids: set[str]) -> None:
        """Drop destroyed keys from memory too."""
        for cache_key in [k for k, (key_id, _) in self._cache.items() if key_id in key_ids]:
            del self._cache[cache_key]
