"""Per-request plumbing for console screens: session, CSRF, the viewer, one unit of work.

async with open_screen(request) as screen:          # POST: CSRF checked first (403)
    organization, role = await screen.organization()  # the path's; 404 if not a member
    return screen.render("privacy.html", organization=organization, role=role)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zerokeep.audit.actions import Actor
from zerokeep.console import session as console_session
from zerokeep.console.rendering import NOTICES, render
from zerokeep.db import read_only, unit_of_work
from zerokeep.errors import NotFound
from zerokeep.models import Organization, User
from zerokeep.organization import service as organization_service
from zerokeep.state import AppState
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role


class LoginRequired(Exception):
    """No valid session: the console redirects to the login page."""


class CsrfRejected(Exception):
    """A POST without the session's CSRF token: refused with a 403 page."""


@dataclass(frozen=True, slots=True)
class OrganizationChoice:
    id: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Viewer:
    """A plain snapshot of who is looking (survives a rollback of the unit of work)."""

    user_id: str
    email: str
    is_staff: bool
    organizations: list[OrganizationChoice]

    def role_in(self, organization_id: str) -> Role | None:
        for choice in self.organizations:
            if choice.id == organization_id:
                return choice.role
        return None


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.app_state()
    return state


def base_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def read_session(request: Request, state: AppState) -> console_session.ConsoleSession | None:
    value = request.cookies.get(console_session.COOKIE_NAME)
    return console_session.decode(state.keys.session_signing, value, state.clock.now())


def set_session_cookie(
    response: Response, request: Request, state: AppState, value: console_session.ConsoleSession
) -> None:
    public_url = state.settings.public_url or ""
    response.set_cookie(
        console_session.COOKIE_NAME,
        console_session.encode(state.keys.session_signing, value),
        max_age=value.max_age(state.clock.now()),
        path=base_path(request) or "/",
        secure=request.url.scheme == "https" or public_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )


async def verified_form(
    request: Request, session: console_session.ConsoleSession | None
) -> FormData:
    form = await request.form()
    if not console_session.csrf_matches(session, form.get("csrf_token")):
        raise CsrfRejected()
    return form


@dataclass(slots=True)
class Screen:
    request: Request
    state: AppState
    db: AsyncSession
    session: console_session.ConsoleSession
    viewer: Viewer
    form: FormData | None = None
    extra_context: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return Actor.user(self.viewer.user_id)

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def checked(self, name: str) -> bool:
        return self.form is not None and self.form.get(name) == "on"

    async def organization(self) -> tuple[Organization, Role]:
        """The organization named in the path and the viewer's role in it; 404 when the viewer
        is not a member, so another organization's screens never confirm that it exists."""
        organization_id = self.request.path_params["organization_id"]
        role = self.viewer.role_in(organization_id)
        if role is None:
            raise NotFound("No such organization.")
        return await organization_service.get(self.db, organization_id), role

    def confirmed(self) -> bool:
        """Whether a destructive POST came from its confirmation page (see `confirm`)."""
        return self.field("confirmed") == "yes"

    def confirm(self, question: str, consequence: str, *, button: str, back: str) -> HTMLResponse:
        """The confirmation step of a destructive action, without script: the same form is
        posted again from this page (its URL is the action's) with `confirmed=yes`; Cancel goes
        back to `back`."""
        fields = [
            (name, value)
            for name, value in (self.form.multi_items() if self.form is not None else [])
            if name not in ("csrf_token", "confirmed") and isinstance(value, str)
        ]
        return self.render(
            "confirm.html",
            question=question,
            consequence=consequence,
            button=button,
            fields=fields,
            back=f"{base_path(self.request)}{back}",
            active="",
        )

    async def user(self) -> User:
        """The viewer's own user row (account screens)."""
        return await user_service.get(self.db, self.viewer.user_id)

    def require_staff(self) -> None:
        if not self.viewer.is_staff:
            raise NotFound("No such page.")

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        notice = NOTICES.get(self.request.query_params.get("notice", ""))
        base = {
            "base": base_path(self.request),
            "csrf_token": self.session.csrf_token,
            "viewer": self.viewer,
            "notice": notice,
            "current_organization_id": self.request.path_params.get("organization_id"),
        }
        return render(template, {**base, **context}, status_code)

    def redirect(self, path: str, notice: str | None = None) -> RedirectResponse:
        suffix = f"?notice={notice}" if notice in NOTICES else ""
        return RedirectResponse(f"{base_path(self.request)}{path}{suffix}", status_code=303)


@asynccontextmanager
async def open_screen(request: Request) -> AsyncIterator[Screen]:
    """Check the session (and the CSRF token on POST), open one unit of work, load the viewer."""
    state = app_state(request)
    session = read_session(request, state)
    form = await verified_form(request, session) if request.method == "POST" else None
    if session is None or session.user_id is None:
        raise LoginRequired()
    async with unit_of_work(state.sessions) as db:
        viewer = await _load_viewer(db, session.user_id, session.session_version)
        yield Screen(request, state, db, session, viewer, form)


async def current_viewer(request: Request) -> tuple[Viewer, str] | None:
    """The logged-in viewer and their CSRF token, or None: for pages rendered outside a
    screen (a refusal shown inside the layout, after the screen's unit of work rolled back)."""
    state = app_state(request)
    session = read_session(request, state)
    if session is None or session.user_id is None:
        return None
    try:
        async with read_only(state.sessions) as db:
            viewer = await _load_viewer(db, session.user_id, session.session_version)
    except LoginRequired:
        return None
    return viewer, session.csrf_token


async def _load_viewer(db: AsyncSession, user_id: str, session_version: int) -> Viewer:
    # The same single user lookup also checks the session_version: a session ended by logout
    # or lockout (any copy of its cookie) reads as logged out.
    user = await user_service.session_user(db, user_id, session_version)
    if user is None:
        raise LoginRequired()
    organizations = await user_service.organizations_of(db, user.id)
    return Viewer(
        user_id=user.id,
        email=user.email,
        is_staff=user.is_platform_staff,
        organizations=[OrganizationChoice(o.id, o.name, role) for o, role in organizations],
    )
