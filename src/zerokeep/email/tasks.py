"""The `email.deliver` job: send pending outbox messages, retrying failures with backoff.

It is a periodic task of the job layer (inside `serve`, or in `zerokeep worker` processes) and
runs from `zerokeep email send-pending`.
A message is a row committed with the decision that caused it, so delivery happens after
commit, and a failed delivery leaves the decision as it is: the message stays pending with its
attempts counted and is retried later, until MAX_ATTEMPTS, when it is marked failed.

    report = await deliver_pending(state)               # the configured transport
    report = await deliver_pending(state, transport)    # tests: a given transport
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.db import unit_of_work
from zerokeep.email import repository
from zerokeep.email.delivery import Transport, transport_for
from zerokeep.email.service import FAILED, SENT
from zerokeep.email.templates import Template, resolve_links
from zerokeep.jobs import JobContext, periodic
from zerokeep.kit.clock import Clock
from zerokeep.models import EmailMessage
from zerokeep.observability.events import JobCompleted, JobFailed, log_event

if TYPE_CHECKING:
    from zerokeep.state import AppState

JOB_NAME = "email.deliver"
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0
BATCH_SIZE = 100
MAX_BATCHES_PER_RUN = 50
POLL_INTERVAL_SECONDS = 2.0


SENT_RESET_BODY = "(sent; the one-time password reset link is not kept)"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: 30 s, 60 s, ... up to 1 h."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    transport: Transport,
    clock: Clock,
    sender: str,
    public_url: str = "",
) -> DeliveryReport:
    """Try every due pending message once, one unit of work per batch of BATCH_SIZE.
    Console links in the bodies become absolute under `public_url`."""
    total = DeliveryReport()
    for _ in range(MAX_BATCHES_PER_RUN):
        report = await _deliver_batch(sessions, transport, clock, sender, public_url)
        total = DeliveryReport(
            total.sent + report.sent,
            total.retrying + report.retrying,
            total.failed + report.failed,
        )
        # A tried message is sent, failed, or scheduled later: the next batch holds others.
        if report.sent + report.retrying + report.failed < BATCH_SIZE:
            break
    return total


async def _deliver_batch(
    sessions: async_sessionmaker[AsyncSession],
    transport: Transport,
    clock: Clock,
    sender: str,
    public_url: str,
) -> DeliveryReport:
    sent = retrying = failed = 0
    async with unit_of_work(sessions) as session:
        for message in await repository.due(session, clock.now(), BATCH_SIZE):
            message.attempts += 1
            try:
                await transport.send(_to_mime(message, sender, public_url))
            except (OSError, mailbox.Error) as error:  # smtplib's errors are OSErrors
                # The class name only: SMTP replies may quote the message back.
                message.last_error_kind = type(error).__name__
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = FAILED
                    failed += 1
                else:
                    message.next_attempt_at = clock.now() + backoff(message.attempts)
                    retrying += 1
                continue
            message.status = SENT
            message.sent_at = clock.now()
            message.last_error_kind = None
            if message.template == Template.PASSWORD_RESET.value:
                # The one-time link is a credential: once sent, the outbox row forgets it.
                message.body = SENT_RESET_BODY
            sent += 1
    return DeliveryReport(sent, retrying, failed)


async def deliver_pending(state: AppState, transport: Transport | None = None) -> DeliveryReport:
    """Deliver what is due through `transport` (default: the configured one)."""
    return await deliver_due(
        state.sessions,
        transport or transport_for(state.settings),
        state.clock,
        state.settings.email_from,
        state.settings.base_url,
    )


@periodic(JOB_NAME, every=POLL_INTERVAL_SECONDS)
async def deliver(ctx: JobContext) -> None:
    """Deliver what is due through the configured transport (each message is its own retry
    schedule, so one run of this task is never retried as a whole)."""
    report = await deliver_due(
        ctx.sessions,
        transport_for(ctx.settings),
        ctx.clock,
        ctx.settings.email_from,
        ctx.settings.base_url,
    )
    if report.sent or report.failed:
        log_event(JobCompleted(job=JOB_NAME, count=report.sent))
    if report.retrying or report.failed:
        log_event(JobFailed(job=JOB_NAME, error="delivery_deferred"))


def _to_mime(message: EmailMessage, sender: str, public_url: str) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(usegmt=True)
    # Stable per row, so a resend after a crash between send and commit can be deduplicated.
    mime["Message-ID"] = f"<{message.id}@zerokeep>"
    mime["X-Zerokeep-Template"] = message.template
    mime.set_content(resolve_links(message.body, public_url))
    return mime
