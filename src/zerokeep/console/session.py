"""Console session cookies: a small payload signed with HMAC-SHA256, carrying the CSRF token.

The cookie holds no secret and no content: the user id (or none before login), the user's
session_version at login, the per-session CSRF token and an expiry. It is signed with
DeploymentKeys.session_signing, so a client cannot forge or extend it; a tampered, expired or
unsigned cookie reads as no session at all. The console refuses a cookie whose session_version is
no longer the user's (logout and lockout raise it), so a copied cookie dies with its session.

    value = encode(key, ConsoleSession.new(now, user_id="usr_...", session_version=3))
    session = decode(key, value, now)   # None if forged or expired
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

COOKIE_NAME = "zk_console"
LIFETIME = timedelta(hours=8)
# Before login the cookie only carries a CSRF token for the login form.
ANONYMOUS_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    csrf_token: str
    expires_at: int
    user_id: str | None = None
    session_version: int = 0

    @classmethod
    def new(
        cls, now: datetime, user_id: str | None = None, session_version: int = 0
    ) -> ConsoleSession:
        """A fresh session with a new CSRF token (rotated at login and logout)."""
        lifetime = LIFETIME if user_id else ANONYMOUS_LIFETIME
        return cls(
            csrf_token=secrets.token_urlsafe(32),
            expires_at=int((now + lifetime).timestamp()),
            user_id=user_id,
            session_version=session_version,
        )

    def max_age(self, now: datetime) -> int:
        return max(0, self.expires_at - int(now.timestamp()))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def encode(key: bytes, session: ConsoleSession) -> str:
    body = {
        "u": session.user_id,
        "v": session.session_version,
        "c": session.csrf_token,
        "e": session.expires_at,
    }
    payload = _b64(orjson.dumps(body))
    return f"{payload}.{_signature(key, payload)}"


def decode(key: bytes, value: str | None, now: datetime) -> ConsoleSession | None:
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature.encode(), _signature(key, payload).encode()):
        return None
    try:
        body = orjson.loads(_unb64(payload))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    user_id, csrf_token, expires_at = body.get("u"), body.get("c"), body.get("e")
    session_version = body.get("v")
    if not isinstance(csrf_token, str) or not isinstance(expires_at, int):
        return None
    # A cookie without a version predates revocation: it cannot be revoked, so it is refused.
    if not isinstance(session_version, int) or isinstance(session_version, bool):
        return None
    if user_id is not None and not isinstance(user_id, str):
        return None
    if expires_at <= int(now.timestamp()):
        return None
    return ConsoleSession(
        csrf_token=csrf_token,
        expires_at=expires_at,
        user_id=user_id,
        session_version=session_version,
    )


def csrf_matches(session: ConsoleSession | None, submitted: object) -> bool:
    if session is None or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(session.csrf_token.encode(), submitted.encode())
