"""Staff: the global audit log (paged, filtered, exported) and the state of its hash chain
(audit.service.verify_chain)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.audit import service as audit_service
from zerokeep.console import audit_view
from zerokeep.console.screen import open_screen
from zerokeep.organization import service as organization_service


async def staff_audit(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        report = await audit_service.verify_chain(screen.db)
        view = await audit_view.load(screen, organization_id=None)
        names = {org.id: org.name for org in await organization_service.list_all(screen.db)}
        return screen.render("staff_audit.html", report=report, view=view, organization_names=names)


async def export(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        return await audit_view.export(screen, organization_id=None, filename="audit.jsonl")


routes = [
    Route("/staff/audit", staff_audit, methods=["GET"]),
    Route("/staff/audit.jsonl", export, methods=["GET"]),
]
