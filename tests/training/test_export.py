"""Training export: which archive records are eligible, and a manifest that counts the rest."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.archive.writer import ArchiveWriter
from zerokeep.audit.actions import CLI
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.keys import KeyService, MasterKey, MasterKeys
from zerokeep.models import AuditEvent, EncryptionKey
from zerokeep.organization import service as organization_service
from zerokeep.retention.content import Content
from zerokeep.retention.decision import Decision, DecisionReason, Regime
from zerokeep.retention.policy import Plan
from zerokeep.training.export import ExportExists, export_training_data
from zerokeep.zdr_request import switch as zdr_switch

WRAPPING_KEY = b"k" * 32


def key_service() -> KeyService:
    return KeyService(MasterKeys([MasterKey(WRAPPING_KEY)]))


NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture()
async def sessions(migrated_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def new_org(
    sessions: async_sessionmaker[AsyncSession], name: str, *, opted_out: bool = False
) -> str:
    async with unit_of_work(sessions) as session:
        org = await organization_service.create(session, CLI, name=name, plan=Plan.SCALE)
        org.training_opt_out = opted_out
    return org.id


async def archive(
    sessions: async_sessionmaker[AsyncSession],
    organization_id: str,
    text: str,
    *,
    age_days: int = 1,
    window_days: int = 30,
) -> None:
    writer = ArchiveWriter(sessions, key_service())
    writer.submit(
        Decision(Regime.ARCHIVE, DecisionReason.ABUSE_WINDOW, archive_days=window_days),
        organization_id=organization_id,
        route="/v1/embeddings",
        model="test-model",
        status_code=200,
        created_at=NOW - timedelta(days=age_days),
        request=Content({"input": text}, size=len(text)),
        response=Content({"data": [{"embedding": [0.5]}]}, size=10),
    )
    await writer.batcher.flush()


async def turn_zdr_on(sessions: async_sessionmaker[AsyncSession], organization_id: str) -> None:
    async with unit_of_work(sessions) as session:
        org = await organization_service.get(session, organization_id)
        await zdr_switch.set_zdr(session, CLI, org, enabled=True)


async def export(sessions: async_sessionmaker[AsyncSession], out: Path) -> dict[str, object]:
    async with unit_of_work(sessions) as session:
        await export_training_data(session, key_service(), out, actor=CLI, now=NOW)
    manifest: dict[str, object] = json.loads((out / "manifest.json").read_text())
    return manifest


class TestExport:
    async def test_inclusion_rules_and_manifest(
        self, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        eligible = await new_org(sessions, "Eligible")
        opted_out = await new_org(sessions, "Opted Out", opted_out=True)
        zdr = await new_org(sessions, "Zdr")
        broken = await new_org(sessions, "Broken Key")
        await archive(sessions, eligible, "keep-me-1")
        await archive(sessions, eligible, "keep-me-2", age_days=29)
        await archive(sessions, eligible, "too-old", age_days=31)
        await archive(sessions, opted_out, "opted-out-1")
        await archive(sessions, opted_out, "opted-out-2")
        await archive(sessions, zdr, "before-zdr")  # archived before ZDR was approved
        await turn_zdr_on(sessions, zdr)  # purges what was archived before (docs/retention.md)
        # Written by a replica that had not yet heard of the approval: the export still skips it.
        await archive(sessions, zdr, "raced-zdr")
        await archive(sessions, broken, "unreadable")
        async with unit_of_work(sessions) as session:
            await session.execute(
                update(EncryptionKey)
                .where(EncryptionKey.organization_id == broken)
                .values(wrapped_key=b"\0" * 60)
            )

        manifest = await export(sessions, tmp_path / "out")

        lines = [json.loads(line) for line in (tmp_path / "out" / "records.jsonl").open()]
        assert sorted(line["request"]["input"] for line in lines) == ["keep-me-1", "keep-me-2"]
        assert {line["organization_id"] for line in lines} == {eligible}
        assert lines[0]["route"] == "/v1/embeddings" and lines[0]["status_code"] == 200
        assert manifest["included"] == {"records": 2, "organizations": {eligible: 2}}
        excluded = manifest["excluded"]
        assert isinstance(excluded, dict)
        assert excluded["opted_out"] == {"records": 2, "organizations": {opted_out: 2}}
        assert excluded["zdr"] == {"records": 1, "organizations": {zdr: 1}}
        assert excluded["expired"] == {"records": 1, "organizations": {eligible: 1}}
        assert excluded["undecryptable"] == {"records": 1, "organizations": {broken: 1}}
        assert excluded["no_organization"] == {"records": 0, "organizations": {}}
        manifest_text = (tmp_path / "out" / "manifest.json").read_text()
        assert "keep-me" not in manifest_text and "opted-out" not in manifest_text
        assert os.stat(tmp_path / "out" / "records.jsonl").st_mode & 0o777 == 0o600

        async with unit_of_work(sessions) as session:
            event = (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action == "training.exported")
                )
            ).scalar_one()
        assert event.actor == "cli"
        assert event.target == manifest["export_id"]
        assert event.details["records"] == 2
        assert event.details["excluded_opted_out"] == 2
        assert event.details["excluded_zdr"] == 1

    async def test_an_empty_archive_exports_nothing(
        self, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        await new_org(sessions, "Quiet")
        manifest = await export(sessions, tmp_path / "out")
        assert manifest["included"] == {"records": 0, "organizations": {}}
        assert (tmp_path / "out" / "records.jsonl").read_text() == ""

    async def test_an_export_never_overwrites_another(
        self, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        await export(sessions, tmp_path / "out")
        with pytest.raises(ExportExists):
            await export(sessions, tmp_path / "out")
