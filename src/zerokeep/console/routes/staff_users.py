"""Staff: every user with their organizations; disable (ends their sessions) or enable."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import open_screen
from zerokeep.errors import Conflict
from zerokeep.user import accounts
from zerokeep.user import service as user_service


async def users(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        rows = [
            (user, await user_service.organizations_of(screen.db, user.id))
            for user in await accounts.list_users(screen.db)
        ]
        return screen.render("staff_users.html", rows=rows)


async def disable(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        user = await user_service.get(screen.db, request.path_params["user_id"])
        if user.id == screen.viewer.user_id:
            raise Conflict("You cannot disable your own account.")
        if not screen.confirmed():
            return screen.confirm(
                f"Disable {user.email}?",
                "Their console sessions end now and they cannot log in until enabled again. "
                "Their API keys keep working: revoke them separately if needed.",
                button="Disable user",
                back="/staff/users",
            )
        await accounts.disable(screen.db, screen.actor, user, now=screen.state.clock.now())
        return screen.redirect("/staff/users", notice="user-disabled")


async def enable(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        user = await user_service.get(screen.db, request.path_params["user_id"])
        await accounts.enable(screen.db, screen.actor, user)
        return screen.redirect("/staff/users", notice="user-enabled")


routes = [
    Route("/staff/users", users, methods=["GET"]),
    Route("/staff/users/{user_id}/disable", disable, methods=["POST"]),
    Route("/staff/users/{user_id}/enable", enable, methods=["POST"]),
]
