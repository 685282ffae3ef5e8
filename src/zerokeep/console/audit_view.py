"""The audit log as the console shows it: a page of events with filters, actors and targets
shown as emails (resolved at display time: the log itself keeps ids only), and the same
selection exported as JSON lines.

    view = await audit_view.load(screen, organization_id=org.id)
    screen.render("audit_log.html", view=view, ...)
    return await audit_view.export(screen, organization_id=org.id, filename="audit-acme.jsonl")
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from starlette.responses import Response

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import AuditAction
from zerokeep.console.screen import Screen
from zerokeep.models import AuditEvent
from zerokeep.user import service as user_service

PAGE_SIZE = 100
EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Filters:
    action: str
    actor: str  # an email, or cli / system / anonymous, as typed
    actor_key: str | None  # the stored actor string it means; None when nobody matches

    def query(self, before_id: int | None = None) -> str:
        parts = [f"action={self.action}"] if self.action else []
        parts += [f"actor={self.actor}"] if self.actor else []
        parts += [f"before={before_id}"] if before_id is not None else []
        return "&".join(parts)


@dataclass(frozen=True, slots=True)
class AuditView:
    events: list[AuditEvent]
    emails: dict[str, str]
    filters: Filters
    actions: list[str]
    next_before: int | None
    export_query: str


async def _filters(screen: Screen) -> Filters:
    params = screen.request.query_params
    action = params.get("action", "")
    action = action if action in {a.value for a in AuditAction} else ""
    actor = params.get("actor", "").strip()
    if not actor:
        return Filters(action, "", None)
    if actor in ("cli", "system", "anonymous"):
        return Filters(action, actor, actor)
    user = await user_service.find_by_email(screen.db, actor)
    return Filters(action, actor, f"user:{user.id}" if user else "user:-")


def _before(screen: Screen) -> int | None:
    raw = screen.request.query_params.get("before", "")
    return int(raw) if raw.isdigit() else None


async def _emails(screen: Screen, events: list[AuditEvent]) -> dict[str, str]:
    ids = {e.actor.removeprefix("user:") for e in events if e.actor.startswith("user:")}
    ids |= {e.target for e in events if e.target.startswith("usr_")}
    return await user_service.emails_of(screen.db, ids)


async def load(screen: Screen, *, organization_id: str | None) -> AuditView:
    filters = await _filters(screen)
    events = await audit_service.list_events(
        screen.db,
        organization_id,
        limit=PAGE_SIZE + 1,
        before_id=_before(screen),
        action=filters.action or None,
        actor=filters.actor_key,
    )
    page = events[:PAGE_SIZE]
    return AuditView(
        events=page,
        emails=await _emails(screen, page),
        filters=filters,
        actions=sorted(a.value for a in AuditAction),
        next_before=page[-1].id if len(events) > PAGE_SIZE else None,
        export_query=filters.query(),
    )


def _line(event: AuditEvent, emails: dict[str, str]) -> bytes:
    actor_id = event.actor.removeprefix("user:")
    record = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "actor_email": emails.get(actor_id) if event.actor.startswith("user:") else None,
        "organization_id": event.organization_id,
        "action": event.action,
        "target": event.target,
        "target_email": emails.get(event.target),
        "details": event.details,
        "previous_hash": event.previous_hash,
        "event_hash": event.event_hash,
    }
    return orjson.dumps(record) + b"\n"


async def export(screen: Screen, *, organization_id: str | None, filename: str) -> Response:
    """Every matching event as JSON lines, newest first (read in batches of EXPORT_BATCH)."""
    filters = await _filters(screen)
    lines: list[bytes] = []
    before: int | None = None
    while True:
        batch = await audit_service.list_events(
            screen.db,
            organization_id,
            limit=EXPORT_BATCH,
            before_id=before,
            action=filters.action or None,
            actor=filters.actor_key,
        )
        emails = await _emails(screen, batch)
        lines.extend(_line(event, emails) for event in batch)
        if len(batch) < EXPORT_BATCH:
            break
        before = batch[-1].id
    return Response(
        b"".join(lines),
        media_type="application/x-ndjson",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
