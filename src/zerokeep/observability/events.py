"""The typed log events zerokeep emits. Every field is metadata; there is no free-text field.

log_event(AccessLogged(method="POST", route="/v1/chat/completions", status=200, ...))
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

logger = logging.getLogger("zerokeep")


@dataclass(frozen=True, slots=True)
class LogEvent:
    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def level(self) -> int:
        return logging.INFO


@dataclass(frozen=True, slots=True)
class AccessLogged(LogEvent):
    method: str
    route: str  # a catalogued route template, or "<unmatched>": never the raw path
    status: int
    duration_ms: float
    organization_id: str | None
    retention: str


@dataclass(frozen=True, slots=True)
class UpstreamFailed(LogEvent):
    provider: str
    route: str
    error: str  # the error class name
    upstream_status: int | None

    @property
    def level(self) -> int:
        return logging.WARNING


@dataclass(frozen=True, slots=True)
class UnhandledError(LogEvent):
    error: str  # the exception class name; its message may hold content and is not logged
    where: str  # "module:function:line" of the innermost frame

    @property
    def level(self) -> int:
        return logging.ERROR


@dataclass(frozen=True, slots=True)
class JobFailed(LogEvent):
    job: str
    error: str

    @property
    def level(self) -> int:
        return logging.ERROR


@dataclass(frozen=True, slots=True)
class RecordsShed(LogEvent):
    """A batcher's queue was full: `count` records were not written (usage or archive)."""

    job: str
    count: int

    @property
    def level(self) -> int:
        return logging.WARNING


@dataclass(frozen=True, slots=True)
class JobCompleted(LogEvent):
    job: str
    count: int


def log_event(event: LogEvent) -> None:
    if logger.isEnabledFor(event.level):
        logger.log(event.level, event.name, extra={"zk_event": asdict(event)})
