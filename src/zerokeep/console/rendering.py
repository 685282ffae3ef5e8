"""The console's Jinja2 environment (autoescape always on) and its fixed notice texts."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Notices shown after a redirect are picked by key from this fixed list: a query string can
# choose one, never inject text.
NOTICES = {
    "privacy-saved": "Privacy settings saved. They apply from the next API request.",
    "zdr-submitted": "ZDR request submitted. Platform staff will review it.",
    "zdr-withdrawn": "The ZDR request was withdrawn.",
    "key-revoked": "The key was revoked: requests that use it now fail with 401.",
    "member-added": "Member added.",
    "member-created": "User created and added to the organization.",
    "role-changed": "Role changed.",
    "member-removed": "Member removed; the API keys they owned here were revoked.",
    "request-approved": "Request approved: ZDR is now active for that organization.",
    "request-denied": "Request denied; the requester is emailed the reason.",
    "plan-changed": "Plan changed.",
    "file-deleted": "File deleted: it is hidden now and purged after the grace period.",
    "restored": "Restored.",
    "hold-placed": "Legal hold placed: nothing it covers is purged until it is lifted.",
    "hold-lifted": "Legal hold lifted: what it kept past its purge date is purged next.",
    "password-changed": (
        "Password changed. Every session of this account has ended: log in with the new password."
    ),
    "password-reset": "Your new password is set: log in with it.",
    "user-disabled": "User disabled: their sessions have ended and they cannot log in.",
    "user-enabled": "User enabled: they can log in again.",
    "logged-out": (
        "You are logged out everywhere: every session of this account has ended, on every "
        "device, and any copy of its cookie no longer works."
    ),
}


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def epoch_when(value: int | None) -> str:
    """An API object's epoch seconds (batch jobs), shown like `when`."""
    return when(datetime.fromtimestamp(value, UTC)) if value is not None else "—"


def number(value: float | int) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def short_id(value: str | None) -> str:
    """`org_74c0d8095321...` as `org_74c0d809…`: enough to tell ids apart in a table."""
    if not value:
        return "—"
    kind, _, rest = value.rpartition("_")
    return f"{kind}_{rest[:8]}…" if kind and len(rest) > 8 else value


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["epoch_when"] = epoch_when
    env.filters["number"] = number
    env.filters["short_id"] = short_id
    return env


def render(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status_code)
