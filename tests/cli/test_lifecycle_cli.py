"""`zerokeep files|deleted|hold|receipt`, `org delete` and `user delete` as real subprocesses."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.cli.test_commands import PASSWORD, Cli
from zerokeep.blobs import blob_store_from_settings
from zerokeep.config import Settings
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.migrations import runner
from zerokeep.models import Deletion, StoredFile
from zerokeep.secret import load_keys


@pytest.fixture()
async def engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture()
async def cli(tmp_path: Path, empty_database_url: str, engine: AsyncEngine) -> Cli:
    await runner.upgrade(engine)
    return Cli(tmp_path / "data", empty_database_url)


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def make_file(engine: AsyncEngine, cli: Cli, organization_id: str) -> str:
    """A stored file as an upload makes it: encrypted blob, own key, row."""
    settings = Settings(data_dir=cli.data_dir, database_url=cli.database_url)
    keys = load_keys(settings)
    storage = FileStorage(
        blob_store_from_settings(settings),
        key_service_from_settings(settings, legacy_wrapping_key=keys.key_wrapping),
    )
    file_id = str(uuid.uuid4())
    name = f"files/{organization_id}/{file_id}"
    async with unit_of_work(session_factory(engine)) as session:
        key_id, key = await storage.new_key(session, organization_id, file_id)
        size = await storage.blobs.put(name, chunks(b'{"a": 1}\n'), key)
        session.add(
            StoredFile(
                id=file_id,
                organization_id=organization_id,
                filename="cli.jsonl",
                purpose="batch",
                sample_type="batch_request",
                source="upload",
                visibility="workspace",
                mimetype="application/jsonl",
                size_bytes=size,
                num_lines=1,
                blob_name=name,
                encryption_key_id=key_id,
                created_at=SystemClock().now(),
            )
        )
    return file_id


async def deletion_status(engine: AsyncEngine, object_id: str) -> str:
    async with read_only(session_factory(engine)) as session:
        stmt = select(Deletion.status).where(Deletion.object_id == object_id)
        return str((await session.execute(stmt.order_by(Deletion.deleted_at.desc()))).first()[0])  # type: ignore[index]


class TestLifecycleCommands:
    async def test_files_deleted_and_restore(self, cli: Cli, engine: AsyncEngine) -> None:
        org_id = cli.create_org("acme")
        file_id = await make_file(engine, cli, org_id)
        assert file_id in cli("files", "list", "--org", "acme").stdout
        out = cli("files", "delete", file_id, "--org", "acme").stdout
        deletion_id = re.search(r"deletion (del_[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
        listing = cli("deleted", "list", "--org", "acme").stdout
        assert deletion_id in listing and "pending" in listing
        cli("deleted", "restore", deletion_id)
        assert await deletion_status(engine, file_id) == "restored"

    async def test_hold_blocks_purge_due_until_lifted(
        self, cli: Cli, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        org_id = cli.create_org("acme")
        cli("privacy", "set", "acme", "--deletion-grace-days", "0")
        file_id = await make_file(engine, cli, org_id)
        out = cli("hold", "place", "--org", "acme", "--reason", "Case 12").stdout
        hold_id = re.search(r"legal hold (hold_[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
        assert "Case 12" in cli("hold", "list", "--org", "acme").stdout
        cli("files", "delete", file_id, "--org", "acme")
        assert "Purged 0 deletion(s)." in cli("deleted", "purge-due").stdout
        cli("hold", "lift", hold_id)
        assert "Purged 1 deletion(s)." in cli("deleted", "purge-due").stdout
        assert await deletion_status(engine, file_id) == "purged"
        assert not list((cli.data_dir / "blobs").rglob(file_id))

    async def test_org_delete_and_user_delete(self, cli: Cli, engine: AsyncEngine) -> None:
        org_id = cli.create_org("acme")
        await make_file(engine, cli, org_id)
        out = cli("org", "delete", "acme", "--yes").stdout
        assert f"Deleted organization {org_id}" in out
        assert await deletion_status(engine, org_id) == "pending"
        cli("user", "create", "ada@example.com", "--password-stdin", stdin=PASSWORD + "\n")
        out = cli("user", "delete", "ada@example.com", "--yes").stdout
        assert re.search(r"Deleted user \S+ \(deletion del_[0-9a-f]+\)", out), out
