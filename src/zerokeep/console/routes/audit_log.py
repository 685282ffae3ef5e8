"""The organization's audit log: who changed what and when (never content), paged, filtered
by action and actor, exported as JSON lines."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console import audit_view
from zerokeep.console.screen import open_screen
from zerokeep.errors import PermissionDenied


async def audit_log(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        if not role.can_manage_privacy:
            raise PermissionDenied("The audit log is for owners and admins.")
        view = await audit_view.load(screen, organization_id=organization.id)
        return screen.render("audit_log.html", organization=organization, role=role, view=view)


async def export(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        if not role.can_manage_privacy:
            raise PermissionDenied("The audit log is for owners and admins.")
        return await audit_view.export(
            screen, organization_id=organization.id, filename=f"audit-{organization.slug}.jsonl"
        )


routes = [
    Route("/orgs/{organization_id}/audit", audit_log, methods=["GET"]),
    Route("/orgs/{organization_id}/audit.jsonl", export, methods=["GET"]),
]
