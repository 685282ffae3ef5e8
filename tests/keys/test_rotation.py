"""Master-key rotation: content stays readable, wrapped bytes change, the old key is retired only
after the commit, and the audit event carries no key material."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.keys.conftest import new_service
from tests.keys.test_service import make_key, open_key, snapshot
from zerokeep.audit.actions import CLI
from zerokeep.db import unit_of_work
from zerokeep.keys import KeyService, MasterKey, MasterKeyMissing, MasterKeys
from zerokeep.keys.rotation import rotate_master
from zerokeep.models import AuditEvent

Sessions = async_sessionmaker[AsyncSession]


class TestRotateMaster:
    async def test_rewraps_without_touching_data_keys(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        ids = [await make_key(sessions, keys, org, "file:f") for org in ("org_a", "org_b")]
        before = await snapshot(sessions)
        old = keys.masters.current
        async with unit_of_work(sessions) as session:
            rotation = await rotate_master(session, keys, actor=CLI)
        after = await snapshot(sessions)
        assert rotation.organization_keys == 2
        assert {row[2] for row in after["org"]} == {rotation.master_key_id} != {old.id}
        assert all(a[3] != b[3] for a, b in zip(before["org"], after["org"], strict=True))
        assert after["data"] == before["data"]  # content keys untouched
        fresh = new_service(master_path)
        for key_id, key in ids:
            assert await open_key(sessions, fresh, key_id) == key
            assert await open_key(sessions, keys, key_id) == key
        with pytest.raises(MasterKeyMissing):
            fresh.masters.get(old.id)
        async with sessions() as session:
            event = (await session.execute(select(AuditEvent))).scalar_one()
        assert event.action == "keys.master_rotated" and event.actor == "cli"
        assert event.target == rotation.master_key_id
        text = str(event.details)
        for secret in (old, fresh.masters.current):
            assert secret.encoded() not in text and secret.key.hex() not in text

    async def test_a_rolled_back_rotation_keeps_the_old_key(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        key_id, key = await make_key(sessions, keys, "org_a", "file:f")
        old = keys.masters.current
        with pytest.raises(RuntimeError):
            async with unit_of_work(sessions) as session:
                await rotate_master(session, keys)
                raise RuntimeError("crash before commit")
        fresh = new_service(master_path)
        assert fresh.masters.get(old.id) == old
        assert await open_key(sessions, fresh, key_id) == key
        async with unit_of_work(sessions) as session:  # the next rotation cleans up
            await rotate_master(session, keys)
        assert await open_key(sessions, new_service(master_path), key_id) == key
        assert len(new_service(master_path).masters.keys) == 1

    async def test_a_settings_key_rotates_in_memory_for_the_operator(
        self, sessions: Sessions
    ) -> None:
        old = MasterKey.generate()
        keys = KeyService(MasterKeys([old]))
        key_id, key = await make_key(sessions, keys, "org_a", "file:f")
        new = MasterKey.generate()
        async with unit_of_work(sessions) as session:
            await rotate_master(session, keys, new=new)
        assert keys.masters.keys == [new]
        restarted = KeyService(MasterKeys([MasterKey(base64.b64decode(new.encoded()))]))
        assert await open_key(sessions, restarted, key_id) == key
        with pytest.raises(MasterKeyMissing):
            await open_key(sessions, KeyService(MasterKeys([old])), key_id)
