"""The data directory (blob store): every file under it, recursively, as raw bytes."""

from __future__ import annotations

import asyncio

from zerokeep.retention_audit.sinks.base import (
    ScanContext,
    SinkResult,
    SinkStatus,
    regular_files,
    scan_paths,
)


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("data-dir", "files")
    root = context.data_dir
    if root is None:
        return [result.skip(SinkStatus.SKIPPED, "no data directory given (--data-dir)")]
    if not root.is_dir():
        return [result.skip(SinkStatus.ERROR, f"the data directory {root} does not exist")]
    await asyncio.to_thread(scan_paths, context.scanner, root, regular_files(root), result)
    return [result]
