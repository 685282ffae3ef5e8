"""Configure Python logging: our typed events as text or JSON, third-party noise muted.

Library loggers that could print request content (uvicorn's access log, httpx/aiohttp debug,
SQLAlchemy's echo of parameters) are kept at WARNING or silenced; the formatter renders only
the typed event fields for zerokeep records and the bare message for others.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import Any

import orjson

_QUIET_LOGGERS = (
    "uvicorn.access",
    "httpx",
    "httpcore",
    "aiohttp",
    "sqlalchemy",
    "asyncio",
    "alembic",
)

# asyncio's exception handler appends reprs to its fixed first line ("future: <Future finished
# exception=ValueError('...')>"), and an exception's message may quote content: only the first
# line of its records is kept.
_FIRST_LINE_ONLY_LOGGERS = frozenset({"asyncio"})


class EventFormatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "zk_event", None) or {}
        head = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.msg if fields else _third_party_message(record),
        }
        if self.as_json:
            return orjson.dumps({**head, **fields}, default=str).decode()
        rendered = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{head['ts']} {head['level']:<7} {head['event']} {rendered}".rstrip()


def _third_party_message(record: logging.LogRecord) -> str:
    message = record.getMessage()
    if record.name in _FIRST_LINE_ONLY_LOGGERS:
        return message.partition("\n")[0]
    return message


def configure_logging(level: str = "info", as_json: bool = False, file: Path | None = None) -> None:
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    handler: logging.Handler = (
        logging.FileHandler(file) if file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(EventFormatter(as_json))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True


# Libraries that may quote request bytes in their own log lines (python_multipart logs the
# unexpected character it met). They are switched off entirely.
_CONTENT_ECHOING_LOGGERS = ("python_multipart", "multipart")


def silence_content_loggers() -> None:
    for name in _CONTENT_ECHOING_LOGGERS:
        logging.getLogger(name).disabled = True


def innermost_frame(error: BaseException) -> str:
    """Where an exception was raised, without its message (which may hold content)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.name}:{frame.lineno}"
