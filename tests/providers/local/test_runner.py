"""Admission control of ModelRunner and LocalProvider: a full queue answers UpstreamBusy."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest

from zerokeep.providers.base import UpstreamBusy, UpstreamRequest
from zerokeep.providers.local import LocalConfig, LocalProvider
from zerokeep.providers.local.runner import ModelRunner
from zerokeep.retention.catalogue import Route


class TestModelRunner:
    async def test_full_queue_raises_busy_then_frees(self) -> None:
        runner: ModelRunner[str] = ModelRunner(
            "test-fake",
            lambda: "model",
            provider="local",
            max_concurrency=1,
            queue_size=1,
            retry_after=7,
        )
        started, release, second_ran = asyncio.Event(), asyncio.Event(), asyncio.Event()

        async def slow_job() -> None:
            async with runner.slot():
                started.set()
                await release.wait()

        first = asyncio.create_task(slow_job())
        await started.wait()
        queued = runner.slot()  # admitted: waits behind the running job
        assert runner.admitted == 2
        with pytest.raises(UpstreamBusy) as raised:
            runner.slot()
        assert raised.value.retry_after == 7

        async def queued_job() -> None:
            async with queued:
                second_ran.set()

        second = asyncio.create_task(queued_job())
        release.set()
        await asyncio.gather(first, second)
        assert second_ran.is_set()
        assert runner.admitted == 0
        assert await runner.run(lambda model: model.upper()) == "MODEL"
        runner.shutdown()

    async def test_stream_yields_emitted_items_in_order(self) -> None:
        runner: ModelRunner[int] = ModelRunner("test-stream", lambda: 3, provider="local")

        def produce(model: int, emit: object, cancelled: object) -> None:
            for index in range(model):
                emit(index)  # type: ignore[operator]

        assert [item async for item in runner.stream(produce)] == [0, 1, 2]
        assert runner.admitted == 0
        runner.shutdown()

    async def test_a_worker_failure_after_the_consumer_left_is_not_logged_by_asyncio(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        # A client that disconnects mid-stream closes the generator; a worker that fails after
        # that must not leave an unretrieved future, whose repr (quoting the exception message,
        # which may hold content) asyncio logs when it is collected.
        runner: ModelRunner[int] = ModelRunner("test-abandoned", lambda: 0, provider="local")

        def fail_after_cancel(model: int, emit: object, cancelled: threading.Event) -> None:
            emit(1)  # type: ignore[operator]
            cancelled.wait(5)
            raise ValueError("CANARY-prompt-text")

        stream = runner.stream(fail_after_cancel)
        async for _ in stream:
            break
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            await stream.aclose()
            del stream
            gc.collect()
            await asyncio.sleep(0)
            gc.collect()
        assert "never retrieved" not in caplog.text
        assert "CANARY" not in caplog.text
        assert runner.admitted == 0
        runner.shutdown()


class TestLocalProviderBusy:
    async def test_send_raises_busy_when_model_slots_and_queue_are_taken(self) -> None:
        local = LocalProvider(LocalConfig(max_concurrency=1, queue_size=0, retry_after_seconds=3))
        release, held = asyncio.Event(), asyncio.Event()

        async def hold_embeddings() -> None:
            async with local.runners.embeddings.slot():
                held.set()
                await release.wait()

        holder = asyncio.create_task(hold_embeddings())
        await held.wait()
        request = UpstreamRequest(Route.EMBEDDINGS, "local-test", {"input": "hello"})
        with pytest.raises(UpstreamBusy) as raised:
            await local.send(request)
        assert raised.value.retry_after == 3
        assert raised.value.status_code == 503
        release.set()
        await holder
        await local.aclose()
