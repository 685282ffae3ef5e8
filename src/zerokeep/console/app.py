"""create_console(): the Admin Console sub-app (Starlette), mounted by zerokeep.app at /console.

    app.mount("/console", create_console(lambda: app.state.zerokeep))

Pages are server-rendered and work without script; one small static script (same origin
only, no inline script) adds copy buttons. Every response carries a strict CSP and
`Cache-Control: no-store` (a new API key is shown once and must not linger in a cache).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zerokeep.console import auth
from zerokeep.console.rendering import STATIC, render
from zerokeep.console.routes import (
    account,
    api_keys,
    audit_log,
    data,
    members,
    overview,
    privacy,
    staff_audit,
    staff_holds,
    staff_organizations,
    staff_review,
    staff_users,
    usage,
    zdr_request,
)
from zerokeep.console.screen import CsrfRejected, LoginRequired, base_path, current_viewer
from zerokeep.errors import ZerokeepError
from zerokeep.state import AppState

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_console(state_of: Callable[[], AppState]) -> Starlette:
    """Build the console; `state_of` returns the running app's AppState (set in its lifespan)."""
    screens: list[BaseRoute] = [
        *auth.routes,
        *account.routes,
        *overview.routes,
        *privacy.routes,
        *zdr_request.routes,
        *api_keys.routes,
        *members.routes,
        *usage.routes,
        *data.routes,
        *audit_log.routes,
        *staff_review.routes,
        *staff_organizations.routes,
        *staff_holds.routes,
        *staff_audit.routes,
        *staff_users.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    console = Starlette(routes=screens)
    console.state.app_state = state_of
    console.add_exception_handler(LoginRequired, _login_required)
    console.add_exception_handler(CsrfRejected, _csrf_rejected)
    console.add_exception_handler(ZerokeepError, _refused)
    console.add_exception_handler(HTTPException, _http_error)
    console.add_middleware(SecurityHeaders)
    return console


def _error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    context = {"base": base_path(request), "title": title, "message": message}
    return render("error.html", context, status_code)


async def _login_required(request: Request, _: Exception) -> Response:
    if request.method == "GET":
        return RedirectResponse(f"{base_path(request)}/login", status_code=303)
    return _error_page(request, 401, "Please log in", "Your session has ended: log in again.")


async def _csrf_rejected(request: Request, _: Exception) -> Response:
    message = (
        "This form was not sent from a current console page (its security token is missing "
        "or wrong). Reload the page and try again."
    )
    return _error_page(request, 403, "Request refused", message)


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, ZerokeepError)
    titles = {403: "Not allowed", 404: "Not found", 409: "Not possible now"}
    title = titles.get(error.status_code, "Something went wrong")
    message = error.message if error.status_code < 500 else "Internal error."
    found = await current_viewer(request) if error.status_code < 500 else None
    if found is None:
        return _error_page(request, error.status_code, title, message)
    # A refusal for someone logged in stays inside the console, with a way back.
    viewer, csrf_token = found
    context = {
        "base": base_path(request),
        "viewer": viewer,
        "csrf_token": csrf_token,
        "current_organization_id": request.path_params.get("organization_id"),
        "title": title,
        "message": message,
        "back": _same_origin_referer(request),
        "active": "",
    }
    return render("refused.html", context, error.status_code)


def _same_origin_referer(request: Request) -> str | None:
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if referer.startswith(origin + "/"):
        return referer.removeprefix(origin)
    return None


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        return _error_page(request, 405, "Not allowed", "This page does not accept that method.")
    return _error_page(request, 404, "Not found", "There is no such page in the console.")
