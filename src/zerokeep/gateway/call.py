"""CallMeta: the metadata of one gateway call, shared by the pipeline and the edge middleware.

It holds ids, counts and timings only; content never goes in here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from zerokeep.auth.context import AuthContext
from zerokeep.retention.catalogue import Route
from zerokeep.retention.decision import Decision

CALL_SCOPE_KEY = "zerokeep.call"
DECISION_SCOPE_KEY = "zerokeep.decision"
STATUS_CLIENT_CLOSED = 499


@dataclass(slots=True)
class CallMeta:
    route: Route
    started: float = field(default_factory=time.perf_counter)
    context: AuthContext | None = None
    decision: Decision | None = None
    model: str | None = None
    is_stream: bool = False
    status: int = 500
    bytes_in: int = 0
    bytes_out: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    upstream_seconds: float = 0.0
    rate_headers: dict[str, str] = field(default_factory=dict)
    is_finished: bool = False

    def count_usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        self.prompt_tokens = _int(usage.get("prompt_tokens"))
        self.completion_tokens = _int(usage.get("completion_tokens"))
        self.total_tokens = _int(usage.get("total_tokens")) or (
            self.prompt_tokens + self.completion_tokens
        )

    def overhead_ms(self, now: float | None = None) -> float:
        elapsed = (now or time.perf_counter()) - self.started
        return max(0.0, (elapsed - self.upstream_seconds) * 1000)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
