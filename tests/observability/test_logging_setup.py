"""EventFormatter: third-party records keep their fixed text, never the reprs appended to it."""

from __future__ import annotations

import logging

from zerokeep.observability.logging_setup import EventFormatter


def _asyncio_record() -> logging.LogRecord:
    # What asyncio's default exception handler logs for a future nobody awaited: a fixed first
    # line, then the future's repr, which quotes the exception message (it may hold content).
    message = (
        "Future exception was never retrieved\n"
        "future: <Future finished exception=ValueError('CANARY-prompt-text')>"
    )
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, None)


class TestEventFormatter:
    def test_asyncio_records_keep_only_their_fixed_first_line(self) -> None:
        for as_json in (False, True):
            line = EventFormatter(as_json).format(_asyncio_record())
            assert "Future exception was never retrieved" in line
            assert "CANARY" not in line

    def test_other_third_party_records_are_rendered_as_before(self) -> None:
        record = logging.LogRecord(
            "uvicorn.error", logging.INFO, __file__, 1, "Started server process", None, None
        )
        assert EventFormatter(False).format(record).endswith("Started server process")
