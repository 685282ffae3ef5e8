"""A 200 stream is never cut without an error event (issue 12, Vibe): whatever fails inside the
relay after the first event, the client gets a final error event and usage is recorded once."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import orjson

from zerokeep.config import ModelSettings
from zerokeep.gateway.call import CallMeta
from zerokeep.gateway.model_router import Target
from zerokeep.gateway.parsing import ParsedCall
from zerokeep.gateway.streaming import relay
from zerokeep.providers.base import StreamEvent
from zerokeep.retention.catalogue import Route
from zerokeep.retention.content import Content


class Finisher:
    """Stands in for the Gateway: relay only calls its finish()."""

    def __init__(self) -> None:
        self.finished: list[int] = []

    def finish(self, call: CallMeta, parsed: Any, output: Any) -> None:
        self.finished.append(call.status)


async def _breaking_events() -> AsyncGenerator[StreamEvent, None]:
    yield StreamEvent({"id": "c", "model": "x", "choices": []})
    raise ValueError("a failure whose message must not reach the client: secret prompt")


class TestRelay:
    async def test_an_unexpected_failure_ends_with_an_error_event(self) -> None:
        model = ModelSettings(name="m", provider="p", routes=[Route.CHAT_COMPLETIONS])
        target = Target(model, [], 1)
        call = CallMeta(Route.CHAT_COMPLETIONS)
        parsed = ParsedCall(model_name="m", is_stream=True, body=Content({}))
        gateway = Finisher()
        events = _breaking_events()
        first = await anext(events)
        frames = [
            frame
            async for frame in relay(gateway, call, target, events, first, parsed)  # type: ignore[arg-type]
        ]
        last = orjson.loads(frames[-1].removeprefix(b"data: "))
        assert last["object"] == "error" and last["type"] == "server_error"
        assert b"secret prompt" not in b"".join(frames)
        assert call.status == 500
        assert gateway.finished == [500]
