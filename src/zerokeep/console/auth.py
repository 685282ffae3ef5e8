"""Console login and logout: email + password (argon2), lockout after repeated failures,
a signed session cookie, and the CSRF token every form carries (login included).

A visit to the login page sets an anonymous session that only holds a CSRF token; a successful
login replaces it with a new session (new token), so a token seen before login is worthless after.
Logout ends every session of the user on the server (user_service.log_out raises the
session_version the cookies carry), so a copied cookie is worthless after logout too.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from zerokeep.console.rendering import NOTICES, render
from zerokeep.console.screen import (
    app_state,
    base_path,
    open_screen,
    read_session,
    set_session_cookie,
    verified_form,
)
from zerokeep.console.session import COOKIE_NAME, ConsoleSession
from zerokeep.db import read_only, unit_of_work
from zerokeep.state import AppState
from zerokeep.user import service as user_service

INVALID_LOGIN = "The email or the password is wrong."


def _locked_message(until: datetime) -> str:
    return (
        "Too many failed logins: this account is locked until "
        f"{until.strftime('%H:%M UTC')}. Try again then, or ask an administrator."
    )


def _login_page(
    request: Request,
    session: ConsoleSession,
    *,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    context = {
        "base": base_path(request),
        "csrf_token": session.csrf_token,
        "error": error,
        "email": email,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return render("login.html", context, status_code)


async def login_form(request: Request) -> Response:
    state = app_state(request)
    session = read_session(request, state)
    if session is not None and session.user_id is not None:
        if await _is_live(state, session.user_id, session.session_version):
            return RedirectResponse(f"{base_path(request)}/", status_code=303)
        session = None  # ended by logout or lockout: start over as anonymous
    if session is None:
        session = ConsoleSession.new(state.clock.now())
    response = _login_page(request, session)
    set_session_cookie(response, request, state, session)
    return response


async def login(request: Request) -> Response:
    state = app_state(request)
    session = read_session(request, state)
    form = await verified_form(request, session)
    assert session is not None  # verified_form refuses a POST without a session
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    now = state.clock.now()
    # Its own unit of work, committed even when the login fails: the failure count must stick.
    async with unit_of_work(state.sessions) as db:
        outcome = await user_service.authenticate(db, email, password, now=now)
        user_id = outcome.user.id if outcome.user else None
        version = outcome.user.session_version if outcome.user else 0
    if user_id is not None:
        response = RedirectResponse(f"{base_path(request)}/", status_code=303)
        set_session_cookie(response, request, state, ConsoleSession.new(now, user_id, version))
        return response
    if outcome.locked_until is not None and outcome.locked_until > now:
        message, status = _locked_message(outcome.locked_until), 429
    else:
        message, status = INVALID_LOGIN, 401
    return _login_page(request, session, error=message, email=email, status_code=status)


async def _is_live(state: AppState, user_id: str, session_version: int) -> bool:
    async with read_only(state.sessions) as db:
        user = await user_service.session_user(db, user_id, session_version)
    return user is not None


async def logout(request: Request) -> Response:
    """Log out everywhere: every session of the user ends, copies of its cookie included."""
    async with open_screen(request) as screen:
        await user_service.log_out(screen.db, screen.viewer.user_id)
    response = RedirectResponse(f"{base_path(request)}/login?notice=logged-out", status_code=303)
    response.delete_cookie(COOKIE_NAME, path=base_path(request) or "/")
    return response


async def index(request: Request) -> Response:
    """The landing page: the viewer's first organization, else the staff queue."""
    async with open_screen(request) as screen:
        if screen.viewer.organizations:
            return screen.redirect(f"/orgs/{screen.viewer.organizations[0].id}")
        if screen.viewer.is_staff:
            return screen.redirect("/staff/review")
        return screen.render("no_organization.html")


async def switch_organization(request: Request) -> Response:
    """The organization switcher (a GET form: it changes nothing but the page shown)."""
    async with open_screen(request) as screen:
        wanted = request.query_params.get("organization_id", "")
        if screen.viewer.role_in(wanted) is None:
            return screen.redirect("/")
        return screen.redirect(f"/orgs/{wanted}")


routes = [
    Route("/", index, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/switch", switch_organization, methods=["GET"]),
]
