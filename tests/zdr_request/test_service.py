"""zdr_request.service: every transition and every refusal, with its audit events and emails."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.governance import good_form, in_session, new_staff_key, new_user_key, unique_email
from tests.harness import LiveServer
from zerokeep.audit.actions import CLI, Actor
from zerokeep.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from zerokeep.models import AuditEvent, EmailMessage, Organization, ZdrRequest
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.user.roles import Role
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request import switch as zdr_switch
from zerokeep.zdr_request.schemas import ZdrRequestCreate
from zerokeep.zdr_request.service import InsufficientJustification

STAFF = Actor.user("usr_staff")


def submit(
    server: LiveServer,
    organization_id: str,
    *,
    role: Role = Role.ADMIN,
    user_id: str | None = None,
    **form: Any,
) -> ZdrRequest:
    async def work(session: AsyncSession) -> ZdrRequest:
        organization = await organization_service.get(session, organization_id)
        return await zdr_request_service.submit(
            session,
            CLI,
            organization,
            requested_by_user_id=user_id,
            role=role,
            form=ZdrRequestCreate(**good_form(**form)),
        )

    return in_session(server, work)


def organization(server: LiveServer, organization_id: str) -> Organization:
    return in_session(server, lambda session: organization_service.get(session, organization_id))


def actions(server: LiveServer, organization_id: str) -> list[tuple[str, dict[str, Any]]]:
    async def work(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.organization_id == organization_id)
            .order_by(AuditEvent.id)
        )
        return [(event.action, event.details) for event in (await session.execute(stmt)).scalars()]

    return in_session(server, work)


def emails_to(server: LiveServer, address: str) -> list[EmailMessage]:
    async def work(session: AsyncSession) -> list[EmailMessage]:
        stmt = select(EmailMessage).where(EmailMessage.to_address == address)
        return list((await session.execute(stmt.order_by(EmailMessage.created_at))).scalars())

    return in_session(server, work)


def approve(server: LiveServer, request_id: str, reason: str = "DPA on file") -> ZdrRequest:
    return in_session(
        server,
        lambda session: zdr_request_service.approve(session, STAFF, request_id, reason=reason),
    )


def deny(server: LiveServer, request_id: str, reason: str) -> ZdrRequest:
    return in_session(
        server, lambda session: zdr_request_service.deny(session, STAFF, request_id, reason=reason)
    )


def withdraw(server: LiveServer, organization_id: str, request_id: str, role: Role) -> ZdrRequest:
    return in_session(
        server,
        lambda session: zdr_request_service.withdraw(
            session, CLI, organization_id, request_id, role
        ),
    )


class TestSubmit:
    def test_admin_submits_and_the_organization_turns_pending(
        self, live_server: LiveServer
    ) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        staff_email, _ = new_staff_key(live_server)
        user_id, user_email, _ = new_user_key(live_server, org_id, Role.OWNER)
        contact = unique_email()
        request = submit(
            live_server, org_id, role=Role.OWNER, user_id=user_id, contact_email=contact
        )
        assert request.id.startswith("zdr_")
        assert request.status == "pending"
        assert request.requested_by_user_id == user_id
        assert request.data_categories == ["health records", "names"]
        assert organization(live_server, org_id).zdr_state == "pending"
        recorded = actions(live_server, org_id)
        assert ("zdr_request.submitted", {"status": "pending", "data_categories": 2}) in recorded
        assert recorded[-1][0] in ("organization.zdr_changed", "zdr_request.submitted")
        assert any(
            action == "organization.zdr_changed" and details["new"] == "pending"
            for action, details in recorded
        )
        for address in (contact, user_email):
            (ack,) = emails_to(live_server, address)
            assert ack.template == "zdr_request.received"
            assert request.id in ack.body
        notices = [e for e in emails_to(live_server, staff_email) if request.id in e.body]
        assert [notice.template for notice in notices] == ["zdr_request.for_review"]

    def test_emails_never_carry_the_justification(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        staff_email, _ = new_staff_key(live_server)
        contact = unique_email()
        canary = "CANARY-" + "x" * 40
        request = submit(
            live_server,
            org_id,
            contact_email=contact,
            use_case=canary,
            legal_basis=canary + "-basis",
            data_categories=[canary + "-category"],
        )
        sent = emails_to(live_server, contact) + [
            e for e in emails_to(live_server, staff_email) if request.id in e.body
        ]
        assert len(sent) == 2
        for message in sent:
            assert "CANARY" not in message.subject + message.body

    @pytest.mark.parametrize("role", [Role.MEMBER])
    def test_a_member_is_refused(self, live_server: LiveServer, role: Role) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        with pytest.raises(PermissionDenied, match="owner or admin"):
            submit(live_server, org_id, role=role)
        assert organization(live_server, org_id).zdr_state == "off"

    def test_free_plan_is_told_to_upgrade(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.FREE)
        with pytest.raises(organization_service.ZdrRequiresScale) as raised:
            submit(live_server, org_id)
        assert (
            raised.value.message == "ZDR requires the Scale plan: upgrade the organization first."
        )

    def test_a_second_pending_request_conflicts(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        submit(live_server, org_id)
        with pytest.raises(Conflict, match="already has a pending ZDR request"):
            submit(live_server, org_id)

    def test_active_zdr_conflicts(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE, zdr=True)
        with pytest.raises(Conflict, match="already active"):
            submit(live_server, org_id)

    def test_an_empty_request_names_every_missing_part(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        with pytest.raises(InsufficientJustification) as raised:
            submit(
                live_server,
                org_id,
                use_case="",
                data_categories=[],
                legal_basis="",
                contact_email="",
            )
        assert raised.value.status_code == 422
        assert raised.value.code == "insufficient_justification"
        assert raised.value.missing == [
            "use_case",
            "data_categories",
            "legal_basis",
            "contact_email",
        ]
        assert raised.value.message == (
            "Describe the use case in at least 40 characters; list the data categories the API "
            "calls will carry; give the legal or contractual basis (at least 10 characters); "
            "give a contact email address."
        )
        assert organization(live_server, org_id).zdr_state == "off"

    def test_only_what_is_missing_is_named(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        with pytest.raises(InsufficientJustification) as raised:
            submit(live_server, org_id, use_case="too short", data_categories=["  "])
        assert raised.value.missing == ["use_case", "data_categories"]
        assert "legal" not in raised.value.message and "email" not in raised.value.message
        assert "too short" not in raised.value.message

    def test_an_invalid_contact_email_is_named(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        with pytest.raises(InsufficientJustification) as raised:
            submit(live_server, org_id, contact_email="not-an-address")
        assert raised.value.missing == ["contact_email"]
        assert "not-an-address" not in raised.value.message


class TestWithdraw:
    def test_withdraw_puts_the_state_back(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        withdrawn = withdraw(live_server, org_id, request.id, Role.OWNER)
        assert withdrawn.status == "withdrawn" and withdrawn.decided_at is not None
        assert organization(live_server, org_id).zdr_state == "off"
        assert "zdr_request.withdrawn" in [action for action, _ in actions(live_server, org_id)]
        # A new request can follow.
        assert submit(live_server, org_id).status == "pending"

    def test_withdraw_after_a_revocation_returns_to_revoked(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE, zdr=True)
        in_session(
            live_server,
            lambda session: _switch_off(session, org_id),
        )
        assert organization(live_server, org_id).zdr_state == "revoked"
        request = submit(live_server, org_id)
        withdraw(live_server, org_id, request.id, Role.ADMIN)
        assert organization(live_server, org_id).zdr_state == "revoked"

    def test_a_member_cannot_withdraw(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        with pytest.raises(PermissionDenied):
            withdraw(live_server, org_id, request.id, Role.MEMBER)

    def test_another_organization_gets_not_found(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        other_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        with pytest.raises(NotFound):
            withdraw(live_server, other_id, request.id, Role.OWNER)
        assert organization(live_server, org_id).zdr_state == "pending"

    def test_only_pending_can_be_withdrawn(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        approve(live_server, request.id)
        with pytest.raises(Conflict, match="this one is approved"):
            withdraw(live_server, org_id, request.id, Role.OWNER)


async def _switch_off(session: AsyncSession, organization_id: str) -> None:
    org = await organization_service.get(session, organization_id)
    await zdr_switch.set_zdr(session, CLI, org, enabled=False)


class TestApprove:
    def test_approval_turns_zdr_on_and_emails_the_requester(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        contact = unique_email()
        request = submit(live_server, org_id, contact_email=contact)
        approved = approve(live_server, request.id, reason="DPA signed 2026-11-01")
        assert approved.status == "approved"
        assert approved.reviewer == "user:usr_staff"
        assert approved.decision_reason == "DPA signed 2026-11-01"
        org = organization(live_server, org_id)
        assert org.zdr_state == "active"
        assert organization_service.to_policy(org).is_zdr
        recorded = actions(live_server, org_id)
        assert ("zdr_request.approved", {"old": "pending", "new": "approved"}) in recorded
        templates = [message.template for message in emails_to(live_server, contact)]
        assert templates == ["zdr_request.received", "zdr_request.approved"]

    def test_a_decided_request_cannot_be_decided_again(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        approve(live_server, request.id)
        with pytest.raises(Conflict):
            approve(live_server, request.id)
        with pytest.raises(Conflict):
            deny(live_server, request.id, "changed our mind")

    def test_an_unknown_request_is_not_found(self, live_server: LiveServer) -> None:
        with pytest.raises(NotFound):
            approve(live_server, "zdr_missing")


class TestDeny:
    def test_denial_needs_a_reason(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        with pytest.raises(InvalidRequest, match="needs a reason"):
            deny(live_server, request.id, "   ")
        assert organization(live_server, org_id).zdr_state == "pending"

    def test_denial_turns_zdr_off_and_emails_the_reason(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        contact = unique_email()
        request = submit(live_server, org_id, contact_email=contact)
        denied = deny(live_server, request.id, "Name the processor and the DPA clause.")
        assert denied.status == "denied"
        assert denied.decision_reason == "Name the processor and the DPA clause."
        assert organization(live_server, org_id).zdr_state == "off"
        message = emails_to(live_server, contact)[-1]
        assert message.template == "zdr_request.denied"
        assert "Reason: Name the processor and the DPA clause." in message.body
        assert "zdr_request.denied" in [action for action, _ in actions(live_server, org_id)]


class TestRevocation:
    def test_leaving_scale_revokes_an_approved_request(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        contact = unique_email()
        request = submit(live_server, org_id, contact_email=contact)
        approve(live_server, request.id)
        _set_plan(live_server, org_id, Plan.FREE)
        assert organization(live_server, org_id).zdr_state == "revoked"
        revoked = in_session(
            live_server,
            lambda session: zdr_request_service.get_for_staff(session, request.id),
        )
        assert revoked.status == "revoked"
        assert revoked.decision_reason == "The organization left the Scale plan."
        message = emails_to(live_server, contact)[-1]
        assert message.template == "zdr_request.revoked"
        assert "left the Scale plan" in message.body
        recorded = [action for action, _ in actions(live_server, org_id)]
        assert "zdr_request.revoked" in recorded

    def test_the_staff_switch_off_revokes_an_approved_request(
        self, live_server: LiveServer
    ) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        contact = unique_email()
        request = submit(live_server, org_id, contact_email=contact)
        approve(live_server, request.id)

        async def switch_off(session: AsyncSession) -> None:
            org = await organization_service.get(session, org_id)
            await zdr_switch.set_zdr(session, CLI, org, enabled=False)

        in_session(live_server, switch_off)
        assert organization(live_server, org_id).zdr_state == "revoked"
        revoked = in_session(
            live_server,
            lambda session: zdr_request_service.get_for_staff(session, request.id),
        )
        assert revoked.status == "revoked"
        assert revoked.decision_reason == zdr_switch.STAFF_SWITCH_REASON
        assert emails_to(live_server, contact)[-1].template == "zdr_request.revoked"

    def test_leaving_scale_revokes_a_pending_request(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        _set_plan(live_server, org_id, Plan.FREE)
        revoked = in_session(
            live_server,
            lambda session: zdr_request_service.get_for_organization(session, org_id, request.id),
        )
        assert revoked.status == "revoked"
        assert organization(live_server, org_id).zdr_state == "revoked"
        with pytest.raises(Conflict):
            approve(live_server, request.id)


def _set_plan(server: LiveServer, organization_id: str, plan: Plan) -> None:
    async def work(session: AsyncSession) -> None:
        org = await organization_service.get(session, organization_id)
        await zdr_switch.set_plan(session, CLI, org, plan)

    in_session(server, work)


class TestQueries:
    def test_review_queue_is_pending_oldest_first_with_names(self, live_server: LiveServer) -> None:
        first_id, _ = live_server.new_organization(plan=Plan.SCALE, name="Queue First")
        second_id, _ = live_server.new_organization(plan=Plan.SCALE, name="Queue Second")
        first = submit(live_server, first_id)
        second = submit(live_server, second_id)
        queue = in_session(live_server, zdr_request_service.review_queue)
        ours = [
            (item.request.id, item.organization.name)
            for item in queue
            if item.request.id in (first.id, second.id)
        ]
        assert ours == [(first.id, "Queue First"), (second.id, "Queue Second")]
        assert all(item.request.status == "pending" for item in queue)
        deny(live_server, first.id, "not enough")
        queue = in_session(live_server, zdr_request_service.review_queue)
        assert first.id not in [item.request.id for item in queue]

    def test_tenancy(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        other_id, _ = live_server.new_organization(plan=Plan.SCALE)
        request = submit(live_server, org_id)
        found = in_session(
            live_server,
            lambda session: zdr_request_service.get_for_organization(session, org_id, request.id),
        )
        assert found.id == request.id
        with pytest.raises(NotFound):
            in_session(
                live_server,
                lambda session: zdr_request_service.get_for_organization(
                    session, other_id, request.id
                ),
            )
        listed = in_session(
            live_server,
            lambda session: zdr_request_service.list_for_organization(session, other_id),
        )
        assert listed == []
        with pytest.raises(NotFound):
            in_session(live_server, lambda s: zdr_request_service.get_for_staff(s, "zdr_nope"))
