"""The organization's audit log: who changed what and when (never content)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.audit import service as audit_service
from zerokeep.console.screen import open_screen
from zerokeep.errors import PermissionDenied

EVENT_LIMIT = 100


async def audit_log(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        if not role.can_manage_privacy:
            raise PermissionDenied("The audit log is for owners and admins.")
        events = await audit_service.list_events(screen.db, organization.id, limit=EVENT_LIMIT)
        return screen.render("audit_log.html", organization=organization, role=role, events=events)


routes = [Route("/orgs/{organization_id}/audit", audit_log, methods=["GET"])]
