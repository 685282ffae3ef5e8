"""Per-organization data keys, wrapped by the deployment's key-wrapping key.

keyring = KeyRing(wrapping_key)
key_id, key = await keyring.data_key(session, "org_1")   # created on first use
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.kit.clock import SystemClock
from zerokeep.kit.crypto import new_data_key, open_sealed, seal
from zerokeep.kit.ids import new_id
from zerokeep.models import EncryptionKey

ARCHIVE_PURPOSE = "archive"


class KeyRing:
    def __init__(self, wrapping_key: bytes) -> None:
        self._wrapping_key = wrapping_key
        self._cache: dict[tuple[str, str], tuple[str, bytes]] = {}

    def _aad(self, organization_id: str, purpose: str) -> bytes:
        return f"{organization_id}/{purpose}".encode()

    async def data_key(
        self, session: AsyncSession, organization_id: str, purpose: str = ARCHIVE_PURPOSE
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

    def forget(self, organization_id: str) -> None:
        for cache_key in [k for k in self._cache if k[0] == organization_id]:
            del self._cache[cache_key]
