"""What every sink returns (SinkResult), what it is given (ScanContext), and the file walker
the file-backed sinks share.

    result = SinkResult.start("data-dir", "files")
    scan_paths(context.scanner, root, paths, result)
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from zerokeep.retention_audit.canary import Hit, Scanner


class SinkStatus(enum.StrEnum):
    SCANNED = "scanned"
    SKIPPED = "skipped"  # could not or need not be scanned; `reason` says why
    NOT_PRESENT = "not-present"  # this deployment has no such sink
    NOT_ENABLED = "not-enabled"
    ERROR = "error"  # should have been scanned and could not: the audit fails


@dataclass(frozen=True, slots=True)
class Finding:
    """A canary seen in a sink: which canary, in which encoding, where. Never the content."""

    canary: str
    encoding: str
    location: str
    offset: int


@dataclass(slots=True)
class Scanned:
    files: int = 0
    bytes: int = 0
    tables: int = 0
    rows: int = 0
    keys: int = 0


@dataclass(slots=True)
class SinkResult:
    name: str
    kind: str
    status: SinkStatus = SinkStatus.SCANNED
    reason: str | None = None
    scanned: Scanned = field(default_factory=Scanned)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, name: str, kind: str) -> SinkResult:
        return cls(name, kind)

    def skip(self, status: SinkStatus, reason: str) -> SinkResult:
        self.status = status
        self.reason = reason
        return self

    def add_hits(self, location: str, hits: Iterable[Hit]) -> None:
        for hit in hits:
            self.findings.append(Finding(hit.canary, hit.encoding, location, hit.offset))


@dataclass(frozen=True, slots=True)
class ScanContext:
    """Where the deployment keeps things, and what the audit is looking for."""

    scanner: Scanner
    started_at: float  # epoch seconds: the start of the audit's traffic window
    base_url: str
    data_dir: Path | None
    database_url: str | None
    redis_url: str | None
    log_files: tuple[Path, ...]
    captured_log: Callable[[], bytes] | None  # None: live mode, the logs are --log-file
    outbox: Path | None


def regular_files(root: Path) -> Iterator[Path]:
    """Every regular file under root, recursively, without following symbolic links."""
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda item: item.name):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield Path(entry.path)


def scan_paths(scanner: Scanner, root: Path, paths: Iterable[Path], result: SinkResult) -> None:
    """Scan each file as raw bytes; unreadable files are counted in a note, not skipped silently."""
    unreadable = 0
    for path in paths:
        try:
            size, hits = scanner.scan_file(path)
        except OSError:
            unreadable += 1
            continue
        result.scanned.files += 1
        result.scanned.bytes += size
        result.add_hits(scanner.redact(_relative(path, root)), hits)
    if unreadable:
        result.notes.append(f"{unreadable} file(s) could not be read")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
