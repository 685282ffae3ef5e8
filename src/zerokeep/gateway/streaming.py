"""Relay a provider's stream to the client as server-sent events, as chunks arrive.

Chat and FIM use data-only framing ending with `data: [DONE]`; speech and transcription use
`event:` framing with no sentinel (reference/mistral-api-notes.md). A client disconnect cancels
this generator, which closes the upstream stream in `finally`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import orjson

from zerokeep.gateway.call import STATUS_CLIENT_CLOSED, CallMeta
from zerokeep.observability.events import UnhandledError, log_event
from zerokeep.observability.logging_setup import innermost_frame
from zerokeep.providers.base import StreamEvent, UpstreamError
from zerokeep.retention.content import Content

# Called once when the stream ends, however it ends: with what the stream produced (to archive,
# under an ARCHIVE decision) or None. The pipeline records usage and the archive from it.
Recorder = Callable[[Content[Any] | None], None]

DONE_FRAME = b"data: [DONE]\n\n"
# Rough size of a token in bytes, for streams whose upstream reports no usage.
_BYTES_PER_TOKEN = 4


class TokenCounter:
    """Estimates completion tokens from the text of a stream's deltas (no usage from upstream)."""

    __slots__ = ("completion",)

    def __init__(self) -> None:
        self.completion = 0

    def add(self, data: dict[str, Any]) -> None:
        for choice in data.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str) and content:
                self.completion += -(-len(content) // _BYTES_PER_TOKEN)

    def usage(self, bytes_in: int) -> dict[str, int]:
        prompt = -(-bytes_in // _BYTES_PER_TOKEN)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": self.completion,
            "total_tokens": prompt + self.completion,
        }


def usage_chunk(last: dict[str, Any], model: str, call: CallMeta) -> dict[str, Any]:
    """A final chunk carrying usage, for a client that asked for it (OpenAI's include_usage)."""
    return {
        "id": last.get("id") or "",
        "object": "chat.completion.chunk",
        "created": last.get("created") or 0,
        "model": model,
        "choices": [],
        "usage": {
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": call.completion_tokens,
            "total_tokens": call.total_tokens,
        },
    }


def frame(event: StreamEvent) -> bytes:
    data = orjson.dumps(event.data)
    if event.event is None:
        return b"data: " + data + b"\n\n"
    return b"event: " + event.event.encode() + b"\ndata: " + data + b"\n\n"


def error_frame(error: UpstreamError, framed_as_event: bool) -> bytes:
    data = orjson.dumps(
        {
            "object": "error",
            "message": error.describe(),
            "type": error.error_type,
            "param": error.param,
            "code": error.code,
        }
    )
    if framed_as_event:
        return b"event: error\ndata: " + data + b"\n\n"
    return b"data: " + data + b"\n\n"


def _server_error_frame(framed_as_event: bool) -> bytes:
    data = orjson.dumps(
        {
            "object": "error",
            "message": "The stream failed inside the gateway; retry the request.",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    )
    if framed_as_event:
        return b"event: error\ndata: " + data + b"\n\n"
    return b"data: " + data + b"\n\n"


async def relay(
    call: CallMeta,
    model_name: str,
    events: AsyncGenerator[StreamEvent, None],
    first: StreamEvent | None,
    record: Recorder,
    wants_usage: bool = False,
) -> AsyncIterator[bytes]:
    keep = call.decision is not None and call.decision.may_archive
    kept: list[dict[str, Any]] = []
    uses_events = first is not None and first.event is not None
    counter = TokenCounter()
    last: dict[str, Any] = {}
    call.status = 200
    try:
        event = first
        while event is not None:
            data = event.data
            if "model" in data:
                data["model"] = model_name
            if "usage" in data:
                call.count_usage(data["usage"])
            elif not uses_events:
                counter.add(data)
            if keep:
                kept.append(data)
            chunk = frame(event)
            call.bytes_out += len(chunk)
            yield chunk
            last = data
            event = await anext(events, None)
        if not uses_events:
            if call.total_tokens == 0:
                # The upstream sent no usage (llama.cpp without include_usage, ...): the token
                # limit is still charged, from a count of what was streamed.
                call.count_usage(counter.usage(call.bytes_in))
                if wants_usage:
                    tail = frame(StreamEvent(usage_chunk(last, model_name, call)))
                    call.bytes_out += len(tail)
                    yield tail
            call.bytes_out += len(DONE_FRAME)
            yield DONE_FRAME
    except UpstreamError as error:
        call.status = error.status_code
        yield error_frame(error, uses_events)
    except Exception as error:  # noqa: BLE001 - a 200 stream is never cut without an error event
        call.status = 500
        log_event(UnhandledError(type(error).__name__, innermost_frame(error)))
        yield _server_error_frame(uses_events)
    except (asyncio.CancelledError, GeneratorExit):
        call.status = STATUS_CLIENT_CLOSED
        raise
    finally:
        await events.aclose()
        record(Content(kept, size=call.bytes_out) if keep else None)
