"""A background batcher: callers submit without waiting; a task writes batches off the hot path.

batcher = Batcher("usage.record", write_rows, interval=0.5)
batcher.start()
batcher.submit(row)          # never blocks, never raises
await batcher.flush()        # tests and shutdown: write what is pending now
await batcher.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from zerokeep.observability.events import JobFailed, RecordsShed, log_event

T = TypeVar("T")


class Batcher(Generic[T]):
    def __init__(
        self,
        name: str,
        write: Callable[[list[T]], Awaitable[None]],
        interval: float = 0.5,
        max_batch: int = 1000,
        max_pending: int = 200_000,
    ) -> None:
        self.name = name
        self._write = write
        self._interval = interval
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._pending: list[T] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.dropped = 0
        self._dropped_reported = 0

    def submit(self, item: T) -> None:
        if len(self._pending) >= self._max_pending:
            self.dropped += 1  # shedding load retains less, never more
            return
        self._pending.append(item)
        if len(self._pending) >= self._max_batch:
            self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"batcher:{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        if self.dropped > self._dropped_reported:
            # Said once per flush, not per record: an operator must know metering lost rows.
            log_event(RecordsShed(job=self.name, count=self.dropped - self._dropped_reported))
            self._dropped_reported = self.dropped
        async with self._lock:
            while self._pending:
                batch, self._pending = (
                    self._pending[: self._max_batch],
                    self._pending[self._max_batch :],
                )
                try:
                    await self._write(batch)
                except Exception as error:  # noqa: BLE001 - a job edge: log the type, never content
                    log_event(JobFailed(job=self.name, error=type(error).__name__))
                # Let requests run between chunks: a large backlog must not stall the loop.
                await asyncio.sleep(0)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._interval)
            self._wakeup.clear()
            await self.flush()
