"""Account screens: change your password; forgot password (a one-time link by email); the
reset page the link opens. The anonymous screens carry a CSRF token like the login form.

A reset request answers the same way whether or not the email has an account, so the form
does not reveal who has one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from zerokeep.console.rendering import render
from zerokeep.console.screen import (
    app_state,
    base_path,
    open_screen,
    read_session,
    set_session_cookie,
    verified_form,
)
from zerokeep.console.session import ConsoleSession
from zerokeep.db import read_only, unit_of_work
from zerokeep.errors import InvalidRequest, PermissionDenied
from zerokeep.user import accounts
from zerokeep.user.passwords import MIN_PASSWORD_LENGTH


async def account(request: Request) -> Response:
    async with open_screen(request) as screen:
        return screen.render("account.html", minimum=MIN_PASSWORD_LENGTH, error=None)


async def change_password(request: Request) -> Response:
    async with open_screen(request) as screen:
        new = screen.field("new_password")
        error = None
        if new != screen.field("repeat_password"):
            error = "The two new passwords differ."
        else:
            user = await screen.user()
            try:
                await accounts.change_password(
                    screen.db, screen.actor, user, current=screen.field("password"), new=new
                )
            except (InvalidRequest, PermissionDenied) as refused:
                error = refused.message
        if error is not None:
            return screen.render("account.html", 400, minimum=MIN_PASSWORD_LENGTH, error=error)
    # Every session ended with the change, this one included: log in with the new password.
    return RedirectResponse(f"{base_path(request)}/login?notice=password-changed", 303)


def _anonymous_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> Response:
    state = app_state(request)
    session = read_session(request, state) or ConsoleSession.new(state.clock.now())
    page = render(
        template,
        {"base": base_path(request), "csrf_token": session.csrf_token, **context},
        status_code,
    )
    set_session_cookie(page, request, state, session)
    return page


async def forgot_form(request: Request) -> Response:
    return _anonymous_page(request, "forgot.html", sent=False)


async def forgot(request: Request) -> Response:
    state = app_state(request)
    form = await verified_form(request, read_session(request, state))
    email = str(form.get("email") or "").strip()
    if email:
        async with unit_of_work(state.sessions) as db:
            await accounts.request_reset(db, email, now=state.clock.now())
    return _anonymous_page(request, "forgot.html", sent=True)


async def reset_form(request: Request) -> Response:
    state = app_state(request)
    async with read_only(state.sessions) as db:
        valid = await accounts.valid_reset(db, request.path_params["token"], now=state.clock.now())
    if valid is None:
        return _anonymous_page(request, "reset.html", 400, error=accounts.INVALID_LINK, dead=True)
    return _anonymous_page(
        request, "reset.html", error=None, dead=False, minimum=MIN_PASSWORD_LENGTH
    )


async def reset(request: Request) -> Response:
    state = app_state(request)
    form = await verified_form(request, read_session(request, state))
    new = str(form.get("new_password") or "")
    if new != str(form.get("repeat_password") or ""):
        return _anonymous_page(
            request,
            "reset.html",
            400,
            error="The two passwords differ.",
            dead=False,
            minimum=MIN_PASSWORD_LENGTH,
        )
    try:
        async with unit_of_work(state.sessions) as db:
            await accounts.reset_password(
                db, request.path_params["token"], new, now=state.clock.now()
            )
    except InvalidRequest as refused:
        dead = refused.param == "token"
        return _anonymous_page(
            request,
            "reset.html",
            400,
            error=refused.message,
            dead=dead,
            minimum=MIN_PASSWORD_LENGTH,
        )
    return RedirectResponse(f"{base_path(request)}/login?notice=password-reset", 303)


routes = [
    Route("/account", account, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/forgot", forgot_form, methods=["GET"]),
    Route("/forgot", forgot, methods=["POST"]),
    Route("/reset/{token}", reset_form, methods=["GET"]),
    Route("/reset/{token}", reset, methods=["POST"]),
]
