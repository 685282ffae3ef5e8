"""Sinks the retention audit scans, one module per kind; each returns typed SinkResults.

results = await scan_all(context)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from zerokeep.retention_audit.sinks import (
    data_dir,
    logs,
    metrics,
    outbox,
    postgres,
    redis_store,
    sqlite,
    tempdir,
)
from zerokeep.retention_audit.sinks.base import (
    Finding,
    ScanContext,
    Scanned,
    SinkResult,
    SinkStatus,
)

Sink = Callable[[ScanContext], Coroutine[Any, Any, list[SinkResult]]]

SINKS: tuple[tuple[str, Sink], ...] = (
    ("SQLite files", sqlite.scan),
    ("PostgreSQL", postgres.scan),
    ("data directory", data_dir.scan),
    ("logs", logs.scan),
    ("Redis", redis_store.scan),
    ("temp directory", tempdir.scan),
    ("email outbox", outbox.scan),
    ("/metrics", metrics.scan),
)

__all__ = ["SINKS", "Finding", "ScanContext", "Scanned", "Sink", "SinkResult", "SinkStatus"]
