"""Put governance emails in the outbox; the `email.deliver` job sends them after commit.

Enqueueing writes a row in the caller's unit of work, so an email exists only if the decision
that caused it was committed, and delivery can never block or undo that decision.

    await email_service.enqueue(session, to="ops@acme.test", template=Template.ZDR_REQUEST_DENIED,
                                organization_name="Acme", organization_id=org.id,
                                request_id=request.id, reason="...")
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.db import session_clock
from zerokeep.email import repository
from zerokeep.email.templates import FieldValue, Template, render
from zerokeep.kit.ids import new_id
from zerokeep.models import EmailMessage

PENDING = repository.PENDING
SENT = "sent"
FAILED = "failed"

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")


def is_deliverable_address(address: str) -> bool:
    return len(address) <= 320 and _ADDRESS.match(address) is not None


async def enqueue(
    session: AsyncSession,
    *,
    to: str,
    template: Template,
    **fields: FieldValue,
) -> EmailMessage:
    """Render `template` with `fields` and add it to the outbox as pending."""
    address = to.strip()
    if not is_deliverable_address(address):
        raise ValueError("not a deliverable email address")
    subject, body = render(template, **fields)
    now = session_clock(session).now()
    message = EmailMessage(
        id=new_id("eml"),
        to_address=address,
        subject=subject,
        body=body,
        template=template.value,
        status=PENDING,
        attempts=0,
        last_error_kind=None,
        next_attempt_at=now,
        created_at=now,
        sent_at=None,
    )
    session.add(message)
    await session.flush()
    return message


async def list_messages(
    session: AsyncSession, status: str | None = None, limit: int = 100
) -> list[EmailMessage]:
    return await repository.list_messages(session, status, limit)
