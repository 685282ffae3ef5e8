"""GET /v1/organization/privacy, and its coherence with the retention header of the next call."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from tests.harness import LiveServer
from zerokeep.audit.actions import CLI
from zerokeep.db import unit_of_work
from zerokeep.models import Organization
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch

PRIVACY = "/v1/organization/privacy"
CHAT = {"model": "test-model", "messages": [{"role": "user", "content": "hello"}]}


def client_for(live_server: LiveServer, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )


def set_zdr(live_server: LiveServer, organization_id: str, enabled: bool) -> None:
    async def work() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            organization = await organization_service.get(session, organization_id)
            await zdr_switch.set_zdr(session, CLI, organization, enabled=enabled)

    live_server.run(work())
    live_server.state.policy_changed()


class TestPrivacySettings:
    def test_zdr_org(self, live_server: LiveServer) -> None:
        org_id, key = live_server.new_organization(plan=Plan.SCALE, zdr=True)
        response = client_for(live_server, key).get(PRIVACY)
        assert response.status_code == 200
        assert response.headers["zerokeep-retention"] == "metadata"
        body = response.json()
        assert body["object"] == "organization.privacy"
        assert body["organization_id"] == org_id
        assert body["plan"] == "scale"
        assert body["zdr"] == "active"
        assert body["zdr_changed_at"] is not None
        assert body["abuse_window_days"] == 30
        assert body["stateful_policy"] == "allow"
        assert body["requires_upstream_zdr"] is False
        assert body["training_opt_out"] is False
        assert body["stateless_retention"] == "none"

    def test_non_zdr_scale_org(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE, zdr=False)
        body = client_for(live_server, key).get(PRIVACY).json()
        assert body["plan"] == "scale"
        assert body["zdr"] == "off"
        assert body["zdr_changed_at"] is None
        assert body["stateless_retention"] == "archive; days=30"

    def test_free_org(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.FREE, zdr=False)
        body = client_for(live_server, key).get(PRIVACY).json()
        assert body["plan"] == "free"
        assert body["zdr"] == "off"
        assert body["stateless_retention"] == "archive; days=30"

    def test_reflects_database_settings(self, live_server: LiveServer) -> None:
        org_id, key = live_server.new_organization(zdr=False)

        async def work() -> None:
            async with unit_of_work(live_server.state.sessions) as session:
                await session.execute(
                    update(Organization)
                    .where(Organization.id == org_id)
                    .values(abuse_window_days=7, requires_upstream_zdr=True)
                )

        live_server.run(work())
        live_server.state.policy_changed()
        body = client_for(live_server, key).get(PRIVACY).json()
        assert body["abuse_window_days"] == 7
        assert body["requires_upstream_zdr"] is True
        assert body["stateless_retention"] == "archive; days=7"

    def test_requires_a_key(self, live_server: LiveServer) -> None:
        response = httpx.get(live_server.base_url + PRIVACY)
        assert response.status_code == 401
        assert response.json()["type"] == "authentication_error"


class TestCoherence:
    @pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
    def test_enabling_zdr_applies_to_the_next_call(
        self, live_server: LiveServer, stream: bool
    ) -> None:
        org_id, key = live_server.new_organization(plan=Plan.SCALE, zdr=False)
        client = client_for(live_server, key)
        before = client.post("/v1/chat/completions", json={**CHAT, "stream": stream})
        assert before.headers["zerokeep-retention"] == "archive; days=30"
        set_zdr(live_server, org_id, enabled=True)
        body = client.get(PRIVACY).json()
        assert body["zdr"] == "active"
        assert body["stateless_retention"] == "none"
        after = client.post("/v1/chat/completions", json={**CHAT, "stream": stream})
        assert after.status_code == 200
        assert after.headers["zerokeep-retention"] == "none"

    def test_revoking_zdr_applies_to_the_next_call(self, live_server: LiveServer) -> None:
        org_id, key = live_server.new_organization(plan=Plan.SCALE, zdr=True)
        client = client_for(live_server, key)
        assert client.post("/v1/chat/completions", json=CHAT).headers["zerokeep-retention"] == (
            "none"
        )
        set_zdr(live_server, org_id, enabled=False)
        body = client.get(PRIVACY).json()
        assert body["zdr"] == "revoked"
        assert body["stateless_retention"] == "archive; days=30"
        after = client.post("/v1/chat/completions", json=CHAT)
        assert after.headers["zerokeep-retention"] == "archive; days=30"
