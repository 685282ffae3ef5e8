"""`zerokeep batch list|show|cancel` as real subprocesses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.cli.test_commands import Cli
from zerokeep.batch import service as batch_service
from zerokeep.batch.schemas import BatchJobCreate, BatchRequest
from zerokeep.config import Settings
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.migrations import runner
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


async def make_job(engine: AsyncEngine, cli: Cli, organization_id: str) -> str:
    settings = Settings(data_dir=cli.data_dir, database_url=cli.database_url)
    keys = key_service_from_settings(settings, legacy_wrapping_key=load_keys(settings).key_wrapping)
    request = BatchJobCreate(
        endpoint="/v1/embeddings",
        model="test-model",
        requests=[BatchRequest(custom_id="0", body={"input": ["a"]})],
    )
    caller = batch_service.Caller(organization_id, None, "key_test")
    async with unit_of_work(session_factory(engine)) as session:
        job = await batch_service.create(session, keys, caller, request, SystemClock())
    return job.id


class TestBatchCommands:
    async def test_list_show_cancel(self, cli: Cli, engine: AsyncEngine) -> None:
        org_id = cli.create_org("acme")
        job_id = await make_job(engine, cli, org_id)
        listing = cli("batch", "list", "--org", "acme").stdout
        assert job_id in listing and "QUEUED" in listing
        shown = json.loads(cli("batch", "show", job_id, "--org", "acme").stdout)
        assert (shown["id"], shown["total_requests"], shown["status"]) == (job_id, 1, "QUEUED")
        out = cli("batch", "cancel", job_id, "--org", "acme").stdout
        assert f"Batch job {job_id}: CANCELLATION_REQUESTED." in out

    def test_an_unknown_job_is_not_found(self, cli: Cli) -> None:
        cli.create_org("acme")
        result = cli("batch", "show", "nope", "--org", "acme", expect=1)
        assert "No such batch job" in result.stderr
