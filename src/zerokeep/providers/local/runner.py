"""Bounded, off-loop execution of local model calls: lazy loading, a slot limit and a queue limit.

Each model kind has one `ModelRunner`. A runner owns at most `max_concurrency` model instances
(one per worker thread: llama.cpp contexts, ONNX sessions and decoders are not safe to share
between threads), loaded lazily on first use and cached process-wide so that several providers in
one process (tests, reloads) share them. Admission is decided synchronously when a slot is asked
for: when `max_concurrency` calls run and `queue_size` more wait, the next one gets
`UpstreamBusy(retry_after=...)` at once instead of piling up.

    runner = ModelRunner("embeddings", load_e5, provider="local", max_concurrency=1, queue_size=4)
    vectors = await runner.run(lambda model: model.passage(texts))
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Generic, TypeVar

from zerokeep.providers.base import UpstreamBusy

M = TypeVar("M")
T = TypeVar("T")

_CACHE_LOCK = threading.Lock()
_CACHE: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}


def _cached_instance(key: tuple[str, int], loader: Callable[[], M]) -> tuple[M, threading.Lock]:
    """Load a model instance once per process; concurrent first calls wait for the one load.

    The returned lock serialises use of the instance across runners sharing the cache.
    """
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = (loader(), threading.Lock())
        instance, lock = _CACHE[key]
        return instance, lock


class Slot:
    """An admitted call: reserved at creation, entered with `async with`, released on exit."""

    def __init__(self, runner: ModelRunner[Any]) -> None:
        self._runner = runner
        self._entered = False

    async def __aenter__(self) -> Slot:
        await self._runner._semaphore.acquire()
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._entered:
            self._runner._semaphore.release()
        self._runner._admitted -= 1


class ModelRunner(Generic[M]):
    """Runs calls against one model kind in a dedicated thread pool, with bounded admission."""

    def __init__(
        self,
        name: str,
        loader: Callable[[], M],
        *,
        provider: str,
        max_concurrency: int = 1,
        queue_size: int = 8,
        retry_after: int = 2,
    ) -> None:
        if max_concurrency < 1 or queue_size < 0:
            raise ValueError("max_concurrency must be >= 1 and queue_size >= 0")
        self.name = name
        self._loader = loader
        self._provider = provider
        self.max_concurrency = max_concurrency
        self.queue_size = queue_size
        self._retry_after = retry_after
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._admitted = 0
        self._free: list[int] = list(range(max_concurrency))
        self._free_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix=name)

    @property
    def admitted(self) -> int:
        """Calls running or waiting for a slot."""
        return self._admitted

    def slot(self) -> Slot:
        """Reserve a place now (or raise UpstreamBusy); `async with` the result to run."""
        if self._admitted >= self.max_concurrency + self.queue_size:
            raise UpstreamBusy(self._provider, retry_after=self._retry_after)
        self._admitted += 1
        return Slot(self)

    def _call(self, fn: Callable[[M], T]) -> T:
        with self._free_lock:
            index = self._free.pop()
        try:
            model, lock = _cached_instance((self.name, index), self._loader)
            with lock:
                return fn(model)
        finally:
            with self._free_lock:
                self._free.append(index)

    def warm(self) -> None:
        """Load the first instance now (blocking); for benchmarks and eager startup."""
        self._call(lambda _model: None)

    async def run(self, fn: Callable[[M], T]) -> T:
        """Run `fn(model)` in the runner's thread pool once a slot is free."""
        async with self.slot():
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._call, fn)

    async def stream(
        self, fn: Callable[[M, Callable[[T], None], threading.Event], None]
    ) -> AsyncIterator[T]:
        """Run `fn(model, emit, cancelled)` in the pool and yield what it emits, in order.

        `fn` must check `cancelled` between items: it is set when the consumer goes away, so an
        abandoned stream frees its slot after the current token instead of generating to the end.
        """
        async with self.slot():
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
            cancelled = threading.Event()

            def emit(item: T) -> None:
                loop.call_soon_threadsafe(queue.put_nowait, (False, item))

            def work(model: M) -> None:
                fn(model, emit, cancelled)

            def finished(done: asyncio.Future[None]) -> None:
                # Mark a failure retrieved even when nobody awaits it any more (the client left):
                # asyncio would log the future's repr, which quotes the exception message.
                if not done.cancelled():
                    done.exception()
                queue.put_nowait((True, None))

            future = loop.run_in_executor(self._executor, self._call, work)
            future.add_done_callback(finished)
            try:
                while True:
                    is_done, item = await queue.get()
                    if is_done:
                        break
                    yield item
                future.result()  # re-raise a failure of the worker
            finally:
                cancelled.set()
                if not future.done():
                    await asyncio.wait({future})

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
