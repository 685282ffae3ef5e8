"""The audit's progress bar, and the sink scan loop that ticks it.

with progress(console, total=12) as steps:
    steps.step("scanning")
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from zerokeep.retention_audit.sinks import SINKS, ScanContext, SinkResult


@dataclass(slots=True)
class Steps:
    """The progress bar: one tick per step."""

    progress: Progress | None
    task: Any = None
    names: list[str] = field(default_factory=list)

    def step(self, description: str) -> None:
        self.names.append(description)
        if self.progress is not None:
            self.progress.update(self.task, description=description, advance=1)


@contextmanager
def progress(console: Console | None, total: int) -> Iterator[Steps]:
    if console is None:
        yield Steps(None)
        return
    columns = (TextColumn("{task.description:<34}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        yield Steps(bar, bar.add_task("starting", total=total))


def scan_sinks(context: ScanContext, steps: Steps) -> list[SinkResult]:
    results: list[SinkResult] = []
    for label, sink in SINKS:
        steps.step(f"scanning {label}")
        results.extend(asyncio.run(sink(context)))
    return results
