"""Privacy settings: the service rules and PATCH /v1/organization/privacy."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.governance import client_for, in_session, new_user_key
from tests.harness import LiveServer
from zerokeep.audit.actions import CLI
from zerokeep.errors import InvalidRequest, PermissionDenied
from zerokeep.models import AuditEvent
from zerokeep.organization import service as organization_service
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import PrivacyUpdate
from zerokeep.retention.policy import Plan
from zerokeep.user.roles import Role

PRIVACY = "/v1/organization/privacy"
EMBED = {"model": "test-model", "input": "hello"}


def audit_of(server: LiveServer, organization_id: str) -> list[tuple[str, dict[str, Any]]]:
    async def work(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
        stmt = select(AuditEvent).where(
            AuditEvent.organization_id == organization_id,
            AuditEvent.action.not_in(["organization.created", "api_key.created", "member.added"]),
        )
        rows = (await session.execute(stmt.order_by(AuditEvent.id))).scalars()
        return [(event.action, event.details) for event in rows]

    return in_session(server, work)


def update(server: LiveServer, organization_id: str, role: Role, **changes: Any) -> None:
    async def work(session: AsyncSession) -> None:
        organization = await organization_service.get(session, organization_id)
        await privacy_service.update(session, CLI, organization, role, PrivacyUpdate(**changes))

    in_session(server, work)


class TestService:
    def test_each_change_is_audited_with_its_own_action(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        update(
            live_server,
            org_id,
            Role.OWNER,
            training_opt_out=True,
            abuse_window_days=7,
            stateful_policy="block",
            requires_upstream_zdr=True,
        )
        assert audit_of(live_server, org_id) == [
            ("organization.training_opt_out_changed", {"old": False, "new": True}),
            ("organization.abuse_window_changed", {"old": 30, "new": 7}),
            ("organization.stateful_policy_changed", {"old": "allow", "new": "block"}),
            ("organization.upstream_zdr_changed", {"old": False, "new": True}),
        ]

    def test_unchanged_values_are_not_audited(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        update(live_server, org_id, Role.ADMIN, training_opt_out=False, abuse_window_days=30)
        assert audit_of(live_server, org_id) == []

    def test_a_member_is_refused(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        with pytest.raises(PermissionDenied, match="owner or admin"):
            update(live_server, org_id, Role.MEMBER, training_opt_out=True)

    def test_the_window_is_bounded(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        changes = PrivacyUpdate.model_construct(abuse_window_days=3651)

        async def work(session: AsyncSession) -> None:
            organization = await organization_service.get(session, org_id)
            await privacy_service.update(session, CLI, organization, Role.ADMIN, changes)

        with pytest.raises(InvalidRequest, match="0 to 3650 days"):
            in_session(live_server, work)


class TestRoutes:
    def test_patch_changes_and_the_next_call_sees_it(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        client = client_for(live_server, key)
        assert client.post("/v1/embeddings", json=EMBED).headers["zerokeep-retention"] == (
            "archive; days=30"
        )
        response = client.patch(PRIVACY, json={"abuse_window_days": 0, "training_opt_out": True})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["abuse_window_days"] == 0
        assert body["training_opt_out"] is True
        assert body["stateless_retention"] == "none"
        assert client.post("/v1/embeddings", json=EMBED).headers["zerokeep-retention"] == "none"
        client.patch(PRIVACY, json={"abuse_window_days": 5})
        assert client.post("/v1/embeddings", json=EMBED).headers["zerokeep-retention"] == (
            "archive; days=5"
        )

    def test_stateful_block_and_upstream_zdr(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        body = (
            client_for(live_server, key)
            .patch(PRIVACY, json={"stateful_policy": "block", "requires_upstream_zdr": True})
            .json()
        )
        assert body["stateful_policy"] == "block"
        assert body["requires_upstream_zdr"] is True

    @pytest.mark.parametrize(
        "body",
        [
            {"abuse_window_days": -1},
            {"abuse_window_days": 3651},
            {"stateful_policy": "maybe"},
            {"plan": "scale"},
            {"zdr": "active"},
        ],
    )
    def test_invalid_changes_are_422(self, live_server: LiveServer, body: dict[str, Any]) -> None:
        _, key = live_server.new_organization(plan=Plan.FREE)
        response = client_for(live_server, key).patch(PRIVACY, json=body)
        assert response.status_code == 422
        assert response.json()["type"] == "invalid_request_error"
        assert "maybe" not in response.text

    def test_errors_never_echo_what_the_client_chose(self, live_server: LiveServer) -> None:
        """Control-plane 422s name schema words only: a client-chosen key or value is not
        echoed, while the fields of the schema are still named."""
        _, key = live_server.new_organization(plan=Plan.FREE)
        canary = "CANARYprivacykey"
        client = client_for(live_server, key)
        unknown = client.patch(PRIVACY, json={canary: True, "training_opt_out": canary})
        assert unknown.status_code == 422
        assert canary not in unknown.text
        locations = [item["loc"] for item in unknown.json()["message"]["detail"]]
        assert ["body", "training_opt_out"] in locations
        assert ["body", "<extra field>"] in locations

    def test_a_member_key_is_403(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        _, _, member_key = new_user_key(live_server, org_id, Role.MEMBER)
        response = client_for(live_server, member_key).patch(
            PRIVACY, json={"training_opt_out": True}
        )
        assert response.status_code == 403
        assert response.json()["type"] == "permission_error"

    def test_an_admin_key_may(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        user_id, _, admin_key = new_user_key(live_server, org_id, Role.ADMIN)
        response = client_for(live_server, admin_key).patch(
            PRIVACY, json={"training_opt_out": True}
        )
        assert response.status_code == 200

        async def actor(session: AsyncSession) -> str:
            stmt = select(AuditEvent.actor).where(
                AuditEvent.organization_id == org_id,
                AuditEvent.action == "organization.training_opt_out_changed",
            )
            return (await session.execute(stmt)).scalar_one()

        assert in_session(live_server, actor) == f"user:{user_id}"

    def test_get_shows_no_request_before_any(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        body = client_for(live_server, key).get(PRIVACY).json()
        assert body["zdr_request"] is None
