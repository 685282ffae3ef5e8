"""Staff: the global audit log and the state of its hash chain (audit.service.verify_chain)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.audit import service as audit_service
from zerokeep.console.screen import open_screen
from zerokeep.organization import service as organization_service

EVENT_LIMIT = 100


async def staff_audit(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        report = await audit_service.verify_chain(screen.db)
        events = await audit_service.list_events(screen.db, limit=EVENT_LIMIT)
        names = {org.id: org.name for org in await organization_service.list_all(screen.db)}
        return screen.render(
            "staff_audit.html", report=report, events=events, organization_names=names
        )


routes = [Route("/staff/audit", staff_audit, methods=["GET"])]
