"""Data archived before ZDR was approved is purged when ZDR turns on (docs/retention.md)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.governance import in_session
from tests.harness import LiveServer
from zerokeep.archive.keyring import archive_purpose
from zerokeep.audit.actions import CLI
from zerokeep.kit.clock import SystemClock
from zerokeep.models import ArchiveRecord, AuditEvent, EncryptionKey
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch

EMBED = {"model": "test-model", "input": "archived before ZDR"}


def count_records(server: LiveServer, organization_id: str) -> int:
    async def work(session: AsyncSession) -> int:
        stmt = select(func.count(ArchiveRecord.id)).where(
            ArchiveRecord.organization_id == organization_id
        )
        return int((await session.execute(stmt)).scalar_one())

    return in_session(server, work)


class TestPurgeOnZdrApproval:
    def test_records_archived_before_approval_are_gone_and_old_keys_destroyed(
        self, live_server: LiveServer
    ) -> None:
        org_id, key = live_server.new_organization(plan=Plan.SCALE, zdr=False)
        headers = {"authorization": f"Bearer {key}"}
        for _ in range(2):
            response = httpx.post(
                live_server.base_url + "/v1/embeddings", json=EMBED, headers=headers
            )
            assert response.headers["zerokeep-retention"].startswith("archive")
        live_server.flush()
        assert count_records(live_server, org_id) >= 1

        async def yesterday_key(session: AsyncSession) -> str:
            purpose = archive_purpose(SystemClock().now() - timedelta(days=1))
            row = EncryptionKey(
                id=f"dk_old_{org_id[-8:]}",
                organization_id=org_id,
                purpose=purpose,
                wrapped_key=b"x" * 60,
                created_at=SystemClock().now() - timedelta(days=1),
            )
            session.add(row)
            return row.id

        old_key = in_session(live_server, yesterday_key)

        async def turn_on(session: AsyncSession) -> None:
            organization = await organization_service.get(session, org_id)
            await zdr_switch.set_zdr(session, CLI, organization, enabled=True)

        in_session(live_server, turn_on)
        assert count_records(live_server, org_id) == 0

        async def state(session: AsyncSession) -> tuple[bool, dict[str, object]]:
            gone = await session.get(EncryptionKey, old_key) is None
            stmt = select(AuditEvent).where(
                AuditEvent.organization_id == org_id, AuditEvent.action == "data.purged"
            )
            event = (await session.execute(stmt)).scalar_one()
            return gone, dict(event.details)

        gone, details = in_session(live_server, state)
        assert gone
        assert details["reason"] == "zdr_activated" and details["kind"] == "archive"
        assert int(str(details["records"])) >= 1 and details["keys_destroyed"] == 1
