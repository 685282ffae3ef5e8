"""A 200 stream is never cut without an error event (issue 12, Vibe): whatever fails inside the
relay after the first event, the client gets a final error event and usage is recorded once."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import orjson

from zerokeep.gateway.call import CallMeta
from zerokeep.gateway.streaming import relay
from zerokeep.providers.base import StreamEvent
from zerokeep.retention.catalogue import Route


class Finisher:
    """The recorder relay calls once when the stream ends."""

    def __init__(self, call: CallMeta) -> None:
        self.call = call
        self.finished: list[int] = []

    def __call__(self, output: Any) -> None:
        self.finished.append(self.call.status)


async def _breaking_events() -> AsyncGenerator[StreamEvent, None]:
    yield StreamEvent({"id": "c", "model": "x", "choices": []})
    raise ValueError("a failure whose message must not reach the client: secret prompt")


class TestRelay:
    async def test_an_unexpected_failure_ends_with_an_error_event(self) -> None:
        call = CallMeta(Route.CHAT_COMPLETIONS)
        gateway = Finisher(call)
        events = _breaking_events()
        first = await anext(events)
        frames = [frame async for frame in relay(call, "m", events, first, gateway)]
        last = orjson.loads(frames[-1].removeprefix(b"data: "))
        assert last["object"] == "error" and last["type"] == "server_error"
        assert b"secret prompt" not in b"".join(frames)
        assert call.status == 500
        assert gateway.finished == [500]
