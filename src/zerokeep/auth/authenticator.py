"""Bearer-key authentication with a one-second cache of (key -> organization policy).

The cache keeps the hot path off the database while honouring invariant 4: a privacy change or
a revocation reaches every replica within one second. An entry is fresh for `ttl` seconds; for
the next `stale_while_refresh` seconds it is still served while one lookup refreshes it in the
background (ttl + stale_while_refresh <= 1 s); concurrent misses share one lookup. The replica
that made a change invalidates at once. If the policy store cannot be read, a
key seen recently keeps working with a retain-nothing decision (fail closed, invariant 3); an
unknown key gets 503.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from zerokeep.auth.context import AuthContext
from zerokeep.errors import AuthenticationFailed, ServiceUnavailable

Lookup = Callable[[str], Awaitable[AuthContext | None]]


@dataclass(slots=True)
class _Entry:
    context: AuthContext | None
    fetched_at: float


class Authenticator:
    def __init__(
        self,
        lookup: Lookup,
        digest: Callable[[str], str | None],
        ttl_seconds: float = 0.5,
        stale_while_refresh_seconds: float = 0.5,
        stale_grace_seconds: float = 300.0,
        max_entries: int = 100_000,
    ) -> None:
        self._lookup = lookup
        self._digest = digest
        self._ttl = ttl_seconds
        self._stale_while_refresh = stale_while_refresh_seconds
        self._inflight: dict[str, asyncio.Task[AuthContext | None]] = {}
        self._generation = 0  # bumped by invalidate_all: older lookups must not be cached
        self._grace = stale_grace_seconds
        self._max_entries = max_entries
        self._cache: dict[str, _Entry] = {}

    async def authenticate(self, authorization: str | None) -> AuthContext:
        token = _bearer_token(authorization)
        key_hash = self._digest(token) if token else None
        if key_hash is None:
            raise AuthenticationFailed()
        now = time.monotonic()
        entry = self._cache.get(key_hash)
        age = now - entry.fetched_at if entry is not None else None
        if entry is not None and age is not None and age < self._ttl:
            context = entry.context
        elif entry is not None and age is not None and age < self._ttl + self._stale_while_refresh:
            self._start_refresh(key_hash, entry, now)
            context = entry.context
        else:
            context = await asyncio.shield(self._start_refresh(key_hash, entry, now))
        if context is None:
            raise AuthenticationFailed()
        return context

    def _start_refresh(
        self, key_hash: str, entry: _Entry | None, now: float
    ) -> asyncio.Task[AuthContext | None]:
        """One lookup per key at a time; every concurrent caller awaits the same task."""
        task = self._inflight.get(key_hash)
        if task is None:
            task = asyncio.create_task(self._refresh(key_hash, entry, now, self._generation))
            self._inflight[key_hash] = task
            task.add_done_callback(lambda done: self._lookup_done(key_hash, done))
        return task

    def _lookup_done(self, key_hash: str, task: asyncio.Task[AuthContext | None]) -> None:
        if self._inflight.get(key_hash) is task:
            del self._inflight[key_hash]
        if not task.cancelled():
            task.exception()  # a background refresh's failure is expected; mark it retrieved

    async def _refresh(
        self, key_hash: str, entry: _Entry | None, now: float, generation: int
    ) -> AuthContext | None:
        try:
            context = await self._lookup(key_hash)
        except (SQLAlchemyError, OSError, TimeoutError):
            if (
                entry is not None
                and entry.context is not None
                and now - entry.fetched_at < self._grace
            ):
                stale = entry.context
                return AuthContext(
                    stale.api_key_id,
                    stale.organization_id,
                    stale.user_id,
                    None,
                    stale.requests_per_minute,
                    stale.tokens_per_minute,
                    stale.key_limits,
                    stale.budget,
                )
            raise ServiceUnavailable("The policy store is unreachable; retry shortly.") from None
        if generation != self._generation:
            return context  # invalidated while it ran: answer this caller, cache nothing
        if len(self._cache) >= self._max_entries:
            self._cache.clear()
        self._cache[key_hash] = _Entry(context, now)
        return context

    def invalidate_all(self) -> None:
        """Forget every cached entry and every lookup under way (a privacy state, plan or key
        changed): the next request reads the new state."""
        self._generation += 1
        self._cache.clear()
        self._inflight.clear()


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
