"""Per-organization rate limits (requests and tokens per minute), in process.

Fixed one-minute windows; the headers follow what the Mistral API sends
(`x-ratelimit-*-req-minute`, `x-ratelimit-*-tokens-minute`) plus `retry-after` on 429.
"""

from __future__ import annotations

from dataclasses import dataclass

from zerokeep.errors import RateLimited
from zerokeep.kit.clock import Clock


@dataclass(slots=True)
class _Window:
    minute: int
    requests: int = 0
    tokens: int = 0


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    def _window(self, organization_id: str, now: float) -> _Window:
        minute = int(now // 60)
        window = self._windows.get(organization_id)
        if window is None or window.minute != minute:
            window = _Window(minute)
            self._windows[organization_id] = window
        return window

    def admit(
        self,
        organization_id: str,
        requests_per_minute: int,
        tokens_per_minute: int,
        message: str | None = None,
    ) -> dict[str, str]:
        """Count one request, or raise RateLimited; returns the headers to send.

        `organization_id` is the window's scope: an organization id, or "key:<id>" for one
        key's own limits.
        """
        now = self._clock.now().timestamp()
        window = self._window(organization_id, now)
        if window.requests >= requests_per_minute or window.tokens >= tokens_per_minute:
            retry_after = max(1, 60 - int(now % 60))
            raise RateLimited(
                retry_after, _headers(window, requests_per_minute, tokens_per_minute), message
            )
        window.requests += 1
        return _headers(window, requests_per_minute, tokens_per_minute)

    def charge_tokens(self, organization_id: str, tokens: int) -> None:
        if tokens > 0:
            self._window(organization_id, self._clock.now().timestamp()).tokens += tokens


def _headers(window: _Window, requests_per_minute: int, tokens_per_minute: int) -> dict[str, str]:
    remaining_requests = max(0, requests_per_minute - window.requests)
    return {
        "x-ratelimit-limit-req-minute": str(requests_per_minute),
        "x-ratelimit-remaining-req-minute": str(remaining_requests),
        "x-ratelimit-limit-tokens-minute": str(tokens_per_minute),
        "x-ratelimit-remaining-tokens-minute": str(max(0, tokens_per_minute - window.tokens)),
        "x-ratelimit-remaining": str(remaining_requests),
    }
