"""Staff: the review queue of pending ZDR requests, each with its justification; approve or deny
with a reason (a denial's reason is emailed to the requester)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import Screen, open_screen
from zerokeep.errors import InvalidRequest, ZerokeepError
from zerokeep.zdr_request import service as zdr_request_service


async def _page(
    screen: Screen,
    *,
    status_code: int = 200,
    error: str | None = None,
    error_request_id: str | None = None,
) -> Response:
    return screen.render(
        "staff_review.html",
        status_code=status_code,
        queue=await zdr_request_service.review_queue(screen.db),
        error=error,
        error_request_id=error_request_id,
    )


async def review_queue(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        return await _page(screen)


async def decide(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        request_id = request.path_params["request_id"]
        decision, reason = screen.field("decision"), screen.field("reason")
        if decision == "deny" and reason and not screen.confirmed():
            return screen.confirm(
                "Deny this ZDR request?",
                "The requester is emailed your reason; the organization keeps its current "
                "retention.",
                button="Deny request",
                back="/staff/review",
            )
        try:
            if decision == "approve":
                await zdr_request_service.approve(
                    screen.db, screen.actor, request_id, reason=reason
                )
            elif decision == "deny":
                await zdr_request_service.deny(screen.db, screen.actor, request_id, reason=reason)
            else:
                raise InvalidRequest("Choose approve or deny.")
        except ZerokeepError as error:
            if error.status_code >= 500 or error.status_code in (403, 404):
                raise
            await screen.db.rollback()
            return await _page(
                screen,
                status_code=error.status_code,
                error=error.message,
                error_request_id=request_id,
            )
        notice = "request-approved" if decision == "approve" else "request-denied"
        response = screen.redirect("/staff/review", notice=notice)
    return response


routes = [
    Route("/staff/review", review_queue, methods=["GET"]),
    Route("/staff/review/{request_id}", decide, methods=["POST"]),
]
