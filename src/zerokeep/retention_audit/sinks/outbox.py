"""The email outbox (a Maildir): every message file, raw, and again with MIME line wrapping and
quoted-printable soft breaks removed (a wrapped base64 body would otherwise split the canary)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from zerokeep.retention_audit.canary import Scanner
from zerokeep.retention_audit.sinks.base import (
    ScanContext,
    SinkResult,
    SinkStatus,
    regular_files,
)

OUTBOX_DIR_NAME = "outbox"


def _unwrapped(data: bytes) -> bytes:
    for soft_break in (b"=\r\n", b"=\n", b"\r\n", b"\n"):
        data = data.replace(soft_break, b"")
    return data


def _scan(scanner: Scanner, root: Path, result: SinkResult) -> None:
    for path in regular_files(root):
        data = path.read_bytes()
        location = scanner.redact(str(path.relative_to(root)))
        result.scanned.files += 1
        result.scanned.bytes += len(data)
        result.add_hits(location, scanner.scan_bytes(data))
        result.add_hits(location + " (unwrapped)", scanner.scan_bytes(_unwrapped(data)))


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("email-outbox", "maildir")
    root = context.outbox
    if root is None and context.data_dir is not None:
        root = context.data_dir / OUTBOX_DIR_NAME
    if root is None or not root.is_dir():
        return [result.skip(SinkStatus.NOT_PRESENT, "no outbox directory")]
    await asyncio.to_thread(_scan, context.scanner, root, result)
    return [result]
