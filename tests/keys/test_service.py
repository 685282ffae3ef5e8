"""The key hierarchy on SQLite and PostgreSQL: round trip, destroy, crypto-shredding of copies,
the unique (organization, purpose) race, and legacy keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.keys.conftest import LEGACY_KEY, new_service
from zerokeep.audit.service import verify_chain
from zerokeep.db import unit_of_work
from zerokeep.keys import KeyDestroyed, KeyService, MasterKeyMissing
from zerokeep.keys import repository as key_repository
from zerokeep.keys.rotation import upgrade_legacy_keys
from zerokeep.keys.service import data_key_aad, organization_key_aad
from zerokeep.kit.clock import SystemClock
from zerokeep.kit.crypto import new_data_key, open_sealed, seal
from zerokeep.models import AuditEvent, EncryptionKey, OrganizationKey

Sessions = async_sessionmaker[AsyncSession]


async def make_key(
    sessions: Sessions, keys: KeyService, org: str, purpose: str
) -> tuple[str, bytes]:
    async with unit_of_work(sessions) as session:
        return await keys.data_key_for(session, org, purpose)


async def open_key(sessions: Sessions, keys: KeyService, key_id: str) -> bytes:
    async with unit_of_work(sessions) as session:
        return await keys.open_data_key(session, key_id)


async def snapshot(sessions: Sessions) -> dict[str, list[Any]]:
    """What a backup of the database holds: every key row, as stored."""
    async with sessions() as session:
        org_rows = (await session.execute(select(OrganizationKey))).scalars().all()
        data_rows = (await session.execute(select(EncryptionKey))).scalars().all()
        return {
            "org": [(r.id, r.organization_id, r.master_key_id, r.wrapped_key) for r in org_rows],
            "data": [
                (r.id, r.organization_id, r.purpose, r.organization_key_id, r.wrapped_key)
                for r in data_rows
            ],
        }


def open_from_backup(backup: dict[str, list[Any]], keys: KeyService, key_id: str) -> bytes:
    """Decrypt a data key from a backup with the master keys the deployment holds now."""
    _, org, purpose, org_key_id, wrapped = next(r for r in backup["data"] if r[0] == key_id)
    _, _, master_id, org_wrapped = next(r for r in backup["org"] if r[0] == org_key_id)
    master = keys.masters.get(master_id)
    org_key = open_sealed(master.key, org_wrapped, organization_key_aad(org))
    return open_sealed(org_key, wrapped, data_key_aad(org, purpose))


class TestHierarchy:
    async def test_round_trip_across_processes(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        key_id, key = await make_key(sessions, keys, "org_a", "file:f_1")
        assert len(key) == 32
        assert await make_key(sessions, keys, "org_a", "file:f_1") == (key_id, key)
        other = new_service(master_path)  # another process: empty cache
        assert await open_key(sessions, other, key_id) == key
        assert (await make_key(sessions, other, "org_a", "file:f_2"))[1] != key
        assert (await make_key(sessions, other, "org_b", "file:f_1"))[1] != key

    async def test_rows_hold_only_wrapped_keys(self, sessions: Sessions, keys: KeyService) -> None:
        key_id, key = await make_key(sessions, keys, "org_a", "file:f_1")
        backup = await snapshot(sessions)
        assert len(backup["org"]) == 1 and len(backup["data"]) == 1
        _, org, master_id, org_wrapped = backup["org"][0]
        assert org == "org_a" and master_id == keys.masters.current.id
        assert key not in backup["data"][0][4] and key not in org_wrapped
        assert backup["data"][0][3] == backup["org"][0][0]
        assert open_from_backup(backup, keys, key_id) == key


class TestDestroy:
    async def test_destroyed_data_key_is_refused_by_every_process(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        key_id, _ = await make_key(sessions, keys, "org_a", "file:f_1")
        kept_id, kept = await make_key(sessions, keys, "org_a", "file:f_2")
        other = new_service(master_path)
        await open_key(sessions, other, key_id)  # the other process caches it
        assert key_id in other.cache
        heard: list[frozenset[str]] = []
        keys.cache.on_destroyed(heard.append)
        async with unit_of_work(sessions) as session:
            assert await keys.destroy_key(session, key_id)
        assert heard == [frozenset({key_id})]
        assert key_id not in keys.cache
        for service in (keys, other):
            with pytest.raises(KeyDestroyed):
                await open_key(sessions, service, key_id)
        assert await open_key(sessions, other, kept_id) == kept

    async def test_organization_deletion_shreds_even_a_copy_taken_before(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        gone_id, gone = await make_key(sessions, keys, "org_gone", "file:f_1")
        kept_id, kept = await make_key(sessions, keys, "org_kept", "file:f_1")
        backup = await snapshot(sessions)
        assert open_from_backup(backup, keys, gone_id) == gone  # the copy opens today
        other = new_service(master_path)
        await open_key(sessions, other, gone_id)

        async with unit_of_work(sessions) as session:
            result = await keys.destroy_organization_key(session, "org_gone")
        assert result.keys_destroyed == 2 and result.master_rotated

        after = new_service(master_path)  # the deployment as it is now
        with pytest.raises(MasterKeyMissing):
            open_from_backup(backup, after, gone_id)
        for service in (keys, other, after):
            with pytest.raises(KeyDestroyed):
                await open_key(sessions, service, gone_id)
            assert await open_key(sessions, service, kept_id) == kept
        async with sessions() as session:
            assert await key_repository.find_organization_key(session, "org_gone") is None
            events = (await session.execute(select(AuditEvent))).scalars().all()
            assert [e.action for e in events] == [
                "keys.organization_key_destroyed",
                "keys.master_rotated",
            ]
            assert events[0].details == {"keys_destroyed": 2}
            assert (await verify_chain(session)).is_intact

    async def test_destroying_an_unknown_organization_rotates_nothing(
        self, sessions: Sessions, keys: KeyService
    ) -> None:
        before = keys.masters.current
        async with unit_of_work(sessions) as session:
            result = await keys.destroy_organization_key(session, "org_none")
        assert result.keys_destroyed == 0 and not result.master_rotated
        assert keys.masters.current == before


class TestUniquePurpose:
    async def test_the_database_refuses_a_second_key_for_a_purpose(
        self, sessions: Sessions, keys: KeyService
    ) -> None:
        await make_key(sessions, keys, "org_a", "archive:2026-11-30")
        with pytest.raises(IntegrityError):
            async with unit_of_work(sessions) as session:
                session.add(
                    EncryptionKey(
                        id="dk_second",
                        organization_id="org_a",
                        purpose="archive:2026-11-30",
                        organization_key_id=None,
                        wrapped_key=b"x",
                        created_at=SystemClock().now(),
                    )
                )
                await session.flush()

    async def test_losing_the_insert_race_returns_the_winners_key(
        self,
        sessions: Sessions,
        keys: KeyService,
        master_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        winner = new_service(master_path)
        winner_id, winner_key = await make_key(sessions, winner, "org_a", "file:f_1")
        real_find = key_repository.find_data_key
        calls = []

        async def find_before_the_winner_committed(*args: Any) -> Any:
            calls.append(args)
            # The loser's first read ran before the winner's commit: it saw nothing.
            return None if len(calls) == 1 else await real_find(*args)

        monkeypatch.setattr(key_repository, "find_data_key", find_before_the_winner_committed)
        assert await make_key(sessions, keys, "org_a", "file:f_1") == (winner_id, winner_key)
        assert len(calls) == 2
        async with sessions() as session:
            count = len((await session.execute(select(EncryptionKey))).scalars().all())
        assert count == 1

    async def test_concurrent_first_use_makes_one_key(
        self, sessions: Sessions, master_path: Path
    ) -> None:
        import asyncio

        services = [new_service(master_path) for _ in range(4)]
        results = await asyncio.gather(
            *(make_key(sessions, service, "org_a", "file:f_1") for service in services)
        )
        assert len(set(results)) == 1
        async with sessions() as session:
            assert len((await session.execute(select(OrganizationKey))).scalars().all()) == 1


class TestLegacyKeys:
    async def test_legacy_keys_open_then_move_under_the_organization_key(
        self, sessions: Sessions, keys: KeyService, master_path: Path
    ) -> None:
        key = new_data_key()
        aad = data_key_aad("org_old", "archive:2026-11-01")
        async with unit_of_work(sessions) as session:
            session.add(
                EncryptionKey(
                    id="dk_legacy",
                    organization_id="org_old",
                    purpose="archive:2026-11-01",
                    organization_key_id=None,
                    wrapped_key=seal(LEGACY_KEY, key, aad),
                    created_at=SystemClock().now(),
                )
            )
        assert await open_key(sessions, keys, "dk_legacy") == key
        async with unit_of_work(sessions) as session:
            assert await upgrade_legacy_keys(session, keys) == 1
        async with sessions() as session:
            row = await key_repository.get_data_key(session, "dk_legacy")
            assert row is not None and row.organization_key_id is not None
        without_legacy = KeyService(new_service(master_path).masters)
        assert await open_key(sessions, without_legacy, "dk_legacy") == key
        with pytest.raises(InvalidTag):
            open_sealed(LEGACY_KEY, row.wrapped_key, aad)
