"""Staff: legal holds of one organization; place one (with a reason) or lift one. Audited."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import open_screen
from zerokeep.errors import InvalidRequest
from zerokeep.lifecycle import holds
from zerokeep.organization import service as organization_service


async def _page(request: Request, *, status_code: int = 200, error: str | None = None) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        organization = await organization_service.get(
            screen.db, request.path_params["organization_id"]
        )
        return screen.render(
            "staff_holds.html",
            status_code=status_code,
            target=organization,
            holds=await holds.list_for_organization(screen.db, organization.id),
            error=error,
        )


async def list_holds(request: Request) -> Response:
    return await _page(request)


async def place(request: Request) -> Response:
    try:
        async with open_screen(request) as screen:
            screen.require_staff()
            organization = await organization_service.get(
                screen.db, request.path_params["organization_id"]
            )
            object_id = screen.field("object_id") or None
            await holds.place(
                screen.db,
                screen.actor,
                organization.id,
                screen.field("reason"),
                screen.state.clock,
                object_kind="file" if object_id else None,
                object_id=object_id,
            )
            return screen.redirect(f"/staff/organizations/{organization.id}/holds", "hold-placed")
    except InvalidRequest as error:
        return await _page(request, status_code=400, error=error.message)


async def lift(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        organization_id = request.path_params["organization_id"]
        await holds.lift(
            screen.db, screen.actor, request.path_params["hold_id"], screen.state.clock
        )
        return screen.redirect(f"/staff/organizations/{organization_id}/holds", "hold-lifted")


routes = [
    Route("/staff/organizations/{organization_id}/holds", list_holds, methods=["GET"]),
    Route("/staff/organizations/{organization_id}/holds", place, methods=["POST"]),
    Route("/staff/organizations/{organization_id}/holds/{hold_id}/lift", lift, methods=["POST"]),
]
