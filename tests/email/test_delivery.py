"""Email: templates, the outbox, and delivery through a real SMTP server on loopback and through
the Maildir outbox; a failing SMTP server leaves messages pending (and decisions intact)."""

from __future__ import annotations

import mailbox
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.governance import USE_CASE, good_form
from zerokeep.audit.actions import CLI
from zerokeep.config import Settings
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.email import service as email_service
from zerokeep.email.delivery import MaildirOutbox, SmtpTransport, transport_for
from zerokeep.email.tasks import BATCH_SIZE, MAX_ATTEMPTS, backoff, deliver_due
from zerokeep.email.templates import Template, TemplateFieldsError, console_link, render
from zerokeep.kit.clock import FrozenClock
from zerokeep.models import EmailMessage, Organization, ZdrRequest
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.user.roles import Role
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request.schemas import ZdrRequestCreate

SENDER = "zerokeep@ops.example.com"
DENIAL = {
    "organization_name": "Acme",
    "organization_id": "org_1",
    "request_id": "zdr_1",
    "reason": "Name the DPA clause.",
    "link": console_link("/orgs/org_1/zdr"),
}


class Collector:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def smtp_server() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield collector, controller.port
    finally:
        controller.stop()


@pytest.fixture()
async def sessions(migrated_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def enqueue(sessions: async_sessionmaker[AsyncSession], to: str) -> str:
    async with unit_of_work(sessions) as session:
        message = await email_service.enqueue(
            session, to=to, template=Template.ZDR_REQUEST_DENIED, **DENIAL
        )
    return message.id


async def stored(sessions: async_sessionmaker[AsyncSession], message_id: str) -> EmailMessage:
    async with unit_of_work(sessions) as session:
        found = await session.get(EmailMessage, message_id)
        assert found is not None
        return found


class TestTemplates:
    def test_render_fills_the_declared_fields(self) -> None:
        subject, body = render(Template.ZDR_REQUEST_DENIED, **DENIAL)
        assert subject == "ZDR request denied for Acme"
        assert "Reason: Name the DPA clause." in body and "zdr_1" in body

    def test_missing_or_unknown_fields_are_refused(self) -> None:
        with pytest.raises(TemplateFieldsError):
            render(Template.ZDR_REQUEST_DENIED, organization_name="Acme")
        with pytest.raises(TemplateFieldsError):
            render(Template.ZDR_REQUEST_RECEIVED, **DENIAL, use_case="anything")

    def test_a_subject_stays_on_one_line(self) -> None:
        subject, _ = render(
            Template.ZDR_REQUEST_DENIED, **{**DENIAL, "organization_name": "A\r\nBcc: x"}
        )
        assert "\n" not in subject and "\r" not in subject

    def test_the_organization_name_and_its_id_stay_on_one_line(self) -> None:
        for template in (Template.ZDR_REQUEST_APPROVED, Template.ZDR_REQUEST_DENIED):
            _, body = render(template, **DENIAL)
            assert "Acme (org_1)" in body, body

    def test_the_staff_email_names_the_menu_item_that_exists(self) -> None:
        fields = {**DENIAL, "plan": "scale", "link": console_link("/staff/review#zdr_1")}
        del fields["reason"]
        _, body = render(Template.ZDR_REQUEST_FOR_REVIEW, **fields)
        assert "Review queue" in body and "(ZDR requests)" not in body
        assert "zerokeep zdr show zdr_1" in body

    def test_no_template_takes_justification_fields(self) -> None:
        for template in Template:
            with pytest.raises(TemplateFieldsError):
                render(template, use_case="x", legal_basis="y", data_categories="z")


class TestSmtp:
    async def test_a_message_arrives_at_a_real_smtp_server(
        self, sessions: async_sessionmaker[AsyncSession], smtp_server: tuple[Collector, int]
    ) -> None:
        collector, port = smtp_server
        message_id = await enqueue(sessions, "dpo@acme.example.com")
        clock = FrozenClock(datetime.now(UTC))
        transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}")
        report = await deliver_due(sessions, transport, clock, SENDER)
        assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
        ((recipients, message),) = collector.received
        assert recipients == ["dpo@acme.example.com"]
        assert message["To"] == "dpo@acme.example.com"
        assert message["From"] == SENDER
        assert message["Subject"] == "ZDR request denied for Acme"
        assert message["Message-ID"] == f"<{message_id}@zerokeep>"
        assert "Reason: Name the DPA clause." in message.get_payload()

        row = await stored(sessions, message_id)
        assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock.now())
        # Sent messages are not sent again.
        assert (await deliver_due(sessions, transport, clock, SENDER)).sent == 0

    async def test_console_links_are_absolute_under_the_public_url(
        self, sessions: async_sessionmaker[AsyncSession], smtp_server: tuple[Collector, int]
    ) -> None:
        collector, port = smtp_server
        await enqueue(sessions, "dpo@acme.example.com")
        transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}")
        clock = FrozenClock(datetime.now(UTC))
        await deliver_due(sessions, transport, clock, SENDER, "https://gw.example.test/")
        ((_, message),) = collector.received
        assert "https://gw.example.test/console/orgs/org_1/zdr" in message.get_payload()
        assert "zerokeep-console:" not in message.get_payload()

    async def test_a_closed_port_leaves_it_pending_then_a_retry_delivers(
        self, sessions: async_sessionmaker[AsyncSession], smtp_server: tuple[Collector, int]
    ) -> None:
        collector, port = smtp_server
        message_id = await enqueue(sessions, "dpo@acme.example.com")
        clock = FrozenClock(datetime.now(UTC))
        closed = SmtpTransport("127.0.0.1", free_port())
        report = await deliver_due(sessions, closed, clock, SENDER)
        assert (report.sent, report.retrying) == (0, 1)
        row = await stored(sessions, message_id)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error_kind == "ConnectionRefusedError"
        assert row.next_attempt_at == clock.now() + backoff(1)
        working = SmtpTransport("127.0.0.1", port)
        assert (await deliver_due(sessions, working, clock, SENDER)).sent == 0  # backing off
        clock.advance(seconds=backoff(1).total_seconds())
        assert (await deliver_due(sessions, working, clock, SENDER)).sent == 1
        row = await stored(sessions, message_id)
        assert (row.status, row.attempts, row.last_error_kind) == ("sent", 2, None)
        assert len(collector.received) == 1

    async def test_it_gives_up_after_max_attempts(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        message_id = await enqueue(sessions, "dpo@acme.example.com")
        clock = FrozenClock(datetime.now(UTC))
        closed = SmtpTransport("127.0.0.1", free_port())
        for attempt in range(1, MAX_ATTEMPTS + 1):
            report = await deliver_due(sessions, closed, clock, SENDER)
            assert report.failed == (1 if attempt == MAX_ATTEMPTS else 0)
            clock.advance(hours=2)
        row = await stored(sessions, message_id)
        assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
        assert (await deliver_due(sessions, closed, clock, SENDER)).failed == 0

    async def test_a_failed_delivery_leaves_the_decision_intact(
        self, sessions: async_sessionmaker[AsyncSession], smtp_server: tuple[Collector, int]
    ) -> None:
        collector, port = smtp_server
        contact = "privacy@acme.example.com"
        async with unit_of_work(sessions) as session:
            org = await organization_service.create(session, CLI, name="Acme", plan=Plan.SCALE)
            request = await zdr_request_service.submit(
                session,
                CLI,
                org,
                requested_by_user_id=None,
                role=Role.ADMIN,
                form=ZdrRequestCreate(**good_form(contact_email=contact)),
            )
            await zdr_request_service.deny(session, CLI, request.id, reason="Too vague.")
        clock = FrozenClock(datetime.now(UTC))
        report = await deliver_due(sessions, SmtpTransport("127.0.0.1", free_port()), clock, SENDER)
        assert report.retrying == 2  # the acknowledgement and the denial
        async with unit_of_work(sessions) as session:
            assert (await session.get(ZdrRequest, request.id)).status == "denied"  # type: ignore[union-attr]
            assert (await session.get(Organization, org.id)).zdr_state == "off"  # type: ignore[union-attr]
            pending = (
                (
                    await session.execute(
                        select(EmailMessage).where(EmailMessage.to_address == contact)
                    )
                )
                .scalars()
                .all()
            )
            assert {(m.status, m.attempts) for m in pending} == {("pending", 1)}
        clock.advance(minutes=1)
        assert (
            await deliver_due(sessions, SmtpTransport("127.0.0.1", port), clock, SENDER)
        ).sent == 2
        subjects = sorted(message["Subject"] for _, message in collector.received)
        assert subjects == ["ZDR request denied for Acme", "ZDR request received for Acme"]
        denial = next(m for _, m in collector.received if "denied" in m["Subject"])
        assert "Reason: Too vague." in denial.get_payload()
        assert USE_CASE not in denial.get_payload()


class TestMaildir:
    async def test_messages_land_in_the_outbox(
        self, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        message_id = await enqueue(sessions, "dpo@acme.example.com")
        outbox = MaildirOutbox(tmp_path / "outbox")
        report = await deliver_due(sessions, outbox, FrozenClock(datetime.now(UTC)), SENDER)
        assert report.sent == 1
        (message,) = list(mailbox.Maildir(tmp_path / "outbox", create=False))
        assert message["To"] == "dpo@acme.example.com"
        assert message["Subject"] == "ZDR request denied for Acme"
        assert message["Message-ID"] == f"<{message_id}@zerokeep>"
        assert "Reason: Name the DPA clause." in message.get_payload()
        assert len(list((tmp_path / "outbox" / "new").iterdir())) == 1

    async def test_one_run_delivers_more_than_one_batch(
        self, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        count = BATCH_SIZE + 20
        async with unit_of_work(sessions) as session:
            for index in range(count):
                await email_service.enqueue(
                    session, to=f"ops{index}@acme.example.com",
                    template=Template.ZDR_REQUEST_DENIED, **DENIAL,
                )  # fmt: skip
        outbox = MaildirOutbox(tmp_path / "outbox")
        report = await deliver_due(sessions, outbox, FrozenClock(datetime.now(UTC)), SENDER)
        assert report.sent == count
        assert len(list((tmp_path / "outbox" / "new").iterdir())) == count


class TestTransportChoice:
    def test_smtp_when_configured(self, tmp_path: Path) -> None:
        settings = Settings(
            data_dir=tmp_path, smtp_url="smtp+starttls://ops%40x.com:s3cret@mail.example.com"
        )
        transport = transport_for(settings)
        assert isinstance(transport, SmtpTransport)
        assert (transport.host, transport.port, transport.security) == (
            "mail.example.com",
            587,
            "starttls",
        )
        assert "s3cret" not in repr(transport)

    def test_maildir_by_default(self, tmp_path: Path) -> None:
        transport = transport_for(Settings(data_dir=tmp_path))
        assert isinstance(transport, MaildirOutbox)
        assert transport.path == tmp_path / "outbox"

    def test_a_bad_url_is_refused(self) -> None:
        with pytest.raises(ValueError, match="smtp://host:port"):
            SmtpTransport.from_url("http://mail.example.com")


class TestEnqueue:
    async def test_undeliverable_addresses_are_refused(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        with pytest.raises(ValueError, match="deliverable"):
            await enqueue(sessions, "not an address")
