"""Helpers for governance tests on the live server: users with roles, their keys, staff, outbox."""

from __future__ import annotations

import mailbox
import uuid
from collections.abc import Awaitable, Callable
from email.message import Message
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.db import unit_of_work
from zerokeep.email.delivery import OUTBOX_DIR_NAME
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role

T = TypeVar("T")

USE_CASE = "Summarising patient intake forms for clinicians at our partner hospitals."
LEGAL_BASIS = "GDPR Art. 9(2)(h) and our DPA with each hospital (section 4)."


def unique_email(prefix: str = "dpo") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def good_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "use_case": USE_CASE,
        "data_categories": ["health records", "names"],
        "legal_basis": LEGAL_BASIS,
        "contact_email": unique_email(),
    }
    form.update(overrides)
    return form


def client_for(server: LiveServer, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=10)


def in_session(server: LiveServer, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one unit of work on the server's loop, then drop the policy cache."""

    async def run() -> T:
        async with unit_of_work(server.state.sessions) as session:
            result = await work(session)
        server.state.policy_changed()
        return result

    return server.run(run())


def new_user_key(
    server: LiveServer, organization_id: str, role: Role | None, *, staff: bool = False
) -> tuple[str, str, str]:
    """A user (a member with `role`, or no membership if None) and a key bound to them.

    Returns (user_id, email, plaintext key)."""

    async def work(session: AsyncSession) -> tuple[str, str, str]:
        organization = await organization_service.get(session, organization_id)
        user = await user_service.create(
            session, CLI, email=unique_email("user"), password=None, is_staff=staff
        )
        if role is not None:
            await user_service.add_member(session, CLI, organization, user, role)
        _, key = await api_key_service.create(
            session, CLI, server.state.keys.api_key_hmac, organization, name="user", user_id=user.id
        )
        return user.id, user.email, key

    return in_session(server, work)


def new_staff_key(server: LiveServer) -> tuple[str, str]:
    """A platform staff user with a key (in an organization of its own): (email, key)."""
    organization_id, _ = server.new_organization(
        plan=Plan.FREE, name=f"Platform team {uuid.uuid4().hex[:8]}"
    )
    _, email, key = new_user_key(server, organization_id, Role.MEMBER, staff=True)
    return email, key


def outbox_to(server: LiveServer, address: str) -> list[Message]:
    """Messages the Maildir outbox holds for `address`."""
    path = server.settings.data_dir / OUTBOX_DIR_NAME
    if not path.exists():
        return []
    box = mailbox.Maildir(path, create=False)
    return [message for message in box if message["To"] == address]


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()
