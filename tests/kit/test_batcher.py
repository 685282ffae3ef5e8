"""kit.batcher: writes off the hot path, survives failing writes, sheds load at max_pending."""

from __future__ import annotations

import asyncio
import logging

import pytest

from zerokeep.kit.batcher import Batcher

CANARY = "canary-batcher-7f3a9c"


class Sink:
    """A write function that records batches and can be told to fail."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.fail_next = 0
        self.written = asyncio.Event()

    async def write(self, batch: list[str]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError(f"could not write {batch!r} {CANARY}")
        self.batches.append(list(batch))
        self.written.set()

    @property
    def items(self) -> list[str]:
        return [item for batch in self.batches for item in batch]


class TestFlush:
    async def test_flush_writes_everything_pending_in_order(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, max_batch=3)
        for index in range(7):
            batcher.submit(f"row-{index}")
        assert batcher.pending == 7
        await batcher.flush()
        assert sink.batches == [
            ["row-0", "row-1", "row-2"],
            ["row-3", "row-4", "row-5"],
            ["row-6"],
        ]
        assert batcher.pending == 0

    async def test_flush_with_nothing_pending_writes_nothing(self) -> None:
        sink = Sink()
        await Batcher("test.write", sink.write).flush()
        assert sink.batches == []

    async def test_stop_flushes_what_is_pending(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, interval=3600)
        batcher.start()
        batcher.submit("last")
        await batcher.stop()
        assert sink.items == ["last"]

    async def test_full_batch_wakes_the_background_task(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, interval=3600, max_batch=2)
        batcher.start()
        try:
            batcher.submit("a")
            batcher.submit("b")
            await asyncio.wait_for(sink.written.wait(), timeout=5)
            assert sink.items == ["a", "b"]
        finally:
            await batcher.stop()

    async def test_interval_flushes_a_partial_batch(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, interval=0.01, max_batch=100)
        batcher.start()
        try:
            batcher.submit("lonely")
            await asyncio.wait_for(sink.written.wait(), timeout=5)
            assert sink.items == ["lonely"]
        finally:
            await batcher.stop()


class TestFailures:
    async def test_a_failing_write_is_logged_by_type_without_content(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        sink = Sink()
        sink.fail_next = 1
        batcher = Batcher("usage.record", sink.write)
        batcher.submit(CANARY)
        with caplog.at_level(logging.DEBUG):
            await batcher.flush()
        failures = [r for r in caplog.records if getattr(r, "zk_event", None)]
        assert [r.zk_event for r in failures] == [{"job": "usage.record", "error": "RuntimeError"}]
        assert failures[0].levelno == logging.ERROR
        assert CANARY not in caplog.text
        assert all(CANARY not in str(record.__dict__) for record in caplog.records)

    async def test_later_batches_are_written_after_a_failure(self) -> None:
        sink = Sink()
        sink.fail_next = 1
        batcher = Batcher("test.write", sink.write, max_batch=1)
        batcher.submit("lost")
        batcher.submit("kept")
        await batcher.flush()
        assert sink.items == ["kept"]

    async def test_the_background_task_survives_a_failing_write(self) -> None:
        sink = Sink()
        sink.fail_next = 1
        batcher = Batcher("test.write", sink.write, interval=0.01, max_batch=1)
        batcher.start()
        try:
            batcher.submit("first")
            batcher.submit("second")
            await asyncio.wait_for(sink.written.wait(), timeout=5)
            sink.written.clear()
            batcher.submit("third")
            await asyncio.wait_for(sink.written.wait(), timeout=5)
            assert sink.items == ["second", "third"]
            assert batcher._task is not None and not batcher._task.done()
        finally:
            await batcher.stop()


class TestShedding:
    async def test_submissions_beyond_max_pending_are_dropped_and_counted(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, max_batch=10, max_pending=3)
        for index in range(5):
            batcher.submit(f"row-{index}")
        assert batcher.pending == 3
        assert batcher.dropped == 2
        await batcher.flush()
        assert sink.items == ["row-0", "row-1", "row-2"]

    async def test_shedding_is_reported_once_with_its_count(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="zerokeep")
        batcher = Batcher("test.write", Sink().write, max_pending=1)
        for index in range(4):
            batcher.submit(f"row-{index}")
        await batcher.flush()
        await batcher.flush()
        shed = [r for r in caplog.records if r.getMessage() == "RecordsShed"]
        assert [r.zk_event for r in shed] == [{"job": "test.write", "count": 3}]  # type: ignore[attr-defined]

    async def test_room_frees_up_after_a_flush(self) -> None:
        sink = Sink()
        batcher = Batcher("test.write", sink.write, max_pending=1)
        batcher.submit("a")
        batcher.submit("dropped")
        await batcher.flush()
        batcher.submit("b")
        await batcher.flush()
        assert sink.items == ["a", "b"]
        assert batcher.dropped == 1

    def test_submit_never_blocks_or_raises_without_a_loop_task(self) -> None:
        batcher: Batcher[str] = Batcher("test.write", Sink().write, max_pending=0)
        batcher.submit("x")
        assert (batcher.pending, batcher.dropped) == (0, 1)
