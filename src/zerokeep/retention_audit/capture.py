"""Capture the deployment's log output during the audit: every record at DEBUG, rendered by the
product's own formatter, in memory and in a log file; the audit's HTTP clients are left out
(they are the audit, not the deployment).

    with LogCapture(work_dir / "zerokeep.log") as capture:
        ...
        capture.output()        # bytes
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from zerokeep.observability.logging_setup import EventFormatter

# What `zerokeep serve` keeps at WARNING (observability.logging_setup.configure_logging).
SERVE_QUIET_LOGGERS = (
    "uvicorn.access",
    "httpx",
    "httpcore",
    "aiohttp",
    "sqlalchemy",
    "asyncio",
    "alembic",
)
CLIENT_LOGGERS = (
    "httpx",
    "httpcore",
    "httpx2",
    "httpcore2",
    "mistralai",
    "zerokeep.retention_audit",
)


class _ClientFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(CLIENT_LOGGERS)


class _MemoryHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._lines_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        with self._lines_lock:
            self.lines.append(line)

    def text(self) -> str:
        with self._lines_lock:
            return "\n".join(self.lines) + "\n"


class LogCapture:
    def __init__(self, log_file: Path) -> None:
        self.log_file = log_file
        self._memory = _MemoryHandler()
        self._file = logging.FileHandler(log_file)
        self._saved: dict[str, int] = {}

    def __enter__(self) -> LogCapture:
        root = logging.getLogger()
        for handler in (self._memory, self._file):
            handler.setFormatter(EventFormatter(as_json=True))
            handler.setLevel(logging.DEBUG)
            handler.addFilter(_ClientFilter())
            root.addHandler(handler)
        for name in ("", *SERVE_QUIET_LOGGERS):
            self._saved[name] = logging.getLogger(name).level
        root.setLevel(logging.DEBUG)
        for name in SERVE_QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc_info: object) -> None:
        root = logging.getLogger()
        for handler in (self._memory, self._file):
            root.removeHandler(handler)
        self._file.close()
        for name, level in self._saved.items():
            logging.getLogger(name).setLevel(level)

    def output(self) -> bytes:
        self._file.flush()
        return self._memory.text().encode("utf-8", errors="surrogateescape")
