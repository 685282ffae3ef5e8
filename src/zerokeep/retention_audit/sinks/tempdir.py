"""Temporary files: every regular file under the system temp directory created or modified during
the audit's window (older files cannot hold this run's canary)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from zerokeep.retention_audit.sinks.base import (
    ScanContext,
    SinkResult,
    regular_files,
    scan_paths,
)

WINDOW_SLACK_SECONDS = 2.0


def _in_window(path: Path, started_at: float) -> bool:
    try:
        status = path.stat()
    except OSError:
        return False
    return max(status.st_mtime, status.st_ctime) >= started_at - WINDOW_SLACK_SECONDS


def _scan(context: ScanContext, root: Path, result: SinkResult) -> None:
    candidates = list(regular_files(root))
    recent = [path for path in candidates if _in_window(path, context.started_at)]
    result.notes.append(
        f"{len(candidates)} file(s) under {root}; {len(recent)} touched during the run, all read"
    )
    scan_paths(context.scanner, root, recent, result)


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("temp-dir", "files")
    root = Path(tempfile.gettempdir())
    await asyncio.to_thread(_scan, context, root, result)
    return [result]
