"""`zerokeep keys rotate-master` (in process) against SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.cli.runner import Cli
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.keys import KeyService, MasterKey, MasterKeys
from zerokeep.keys.master import open_key_file
from zerokeep.models import AuditEvent


@pytest.fixture()
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def make_and_open(
    engine: AsyncEngine, keys: KeyService, key_id: str | None
) -> tuple[str, bytes]:
    async with unit_of_work(session_factory(engine)) as session:
        if key_id is None:
            return await keys.data_key_for(session, "org_a", "file:f_1")
        return key_id, await keys.open_data_key(session, key_id)


class TestRotateMaster:
    async def test_managed_key_file(
        self, engine: AsyncEngine, migrated_database_url: str, tmp_path: Path
    ) -> None:
        data_dir = tmp_path / "data"
        master_file = data_dir / "keys" / "master.key"
        keys = KeyService(open_key_file(master_file))
        key_id, key = await make_and_open(engine, keys, None)
        old_id = keys.masters.current.id

        out = Cli(data_dir, migrated_database_url)("keys", "rotate-master").stdout

        match = re.search(r"now ([0-9a-f]{16}); 1 organization keys re-wrapped", out)
        assert match and match.group(1) != old_id, out
        reread = open_key_file(master_file)
        assert [master.id for master in reread.keys] == [match.group(1)]
        assert await make_and_open(engine, KeyService(reread), key_id) == (key_id, key)
        assert master_file.read_text().strip() not in out
        async with session_factory(engine)() as session:
            event = (await session.execute(select(AuditEvent))).scalar_one()
        assert (event.action, event.actor, event.target) == (
            "keys.master_rotated",
            "cli",
            match.group(1),
        )

    async def test_settings_key_is_printed_once(
        self, engine: AsyncEngine, migrated_database_url: str, tmp_path: Path
    ) -> None:
        old = MasterKey(os.urandom(32))
        key_id, key = await make_and_open(engine, KeyService(MasterKeys([old])), None)

        out = Cli(tmp_path / "data", migrated_database_url)(
            "keys", "rotate-master", ZEROKEEP_MASTER_KEY=old.encoded()
        ).stdout

        printed = out.strip().splitlines()[-1]
        new = MasterKey(base64.b64decode(printed))
        assert new.id != old.id and old.encoded() not in out
        assert await make_and_open(engine, KeyService(MasterKeys([new])), key_id) == (key_id, key)
        assert not (tmp_path / "data" / "keys").exists()
