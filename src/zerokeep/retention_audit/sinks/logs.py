"""Logs: the log files the deployment writes (--log-file), and the log output captured from this
run (every record, at DEBUG, as the deployment's formatter renders it)."""

from __future__ import annotations

import asyncio

from zerokeep.retention_audit.sinks.base import ScanContext, SinkResult, SinkStatus, scan_paths


async def scan(context: ScanContext) -> list[SinkResult]:
    return [await _files(context), _captured(context)]


async def _files(context: ScanContext) -> SinkResult:
    result = SinkResult.start("log-files", "files")
    if not context.log_files:
        return result.skip(SinkStatus.NOT_PRESENT, "no log file configured (--log-file)")
    present = [path for path in context.log_files if path.is_file()]
    missing = [str(path) for path in context.log_files if not path.is_file()]
    if missing:
        result.notes.append("missing: " + ", ".join(missing))
    await asyncio.to_thread(
        scan_paths, context.scanner, context.log_files[0].parent, present, result
    )
    if not present:
        result.skip(SinkStatus.ERROR, "none of the log files exists")
    return result


def _captured(context: ScanContext) -> SinkResult:
    result = SinkResult.start("captured-log", "log-output")
    if context.captured_log is None:
        reason = "live mode: the deployment's log output is read from its --log-file"
        return result.skip(SinkStatus.NOT_PRESENT, reason)
    output = context.captured_log()
    result.scanned.bytes = len(output)
    result.scanned.rows = output.count(b"\n")
    result.add_hits("captured log output of this run", context.scanner.scan_bytes(output))
    return result
