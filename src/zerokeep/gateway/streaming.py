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
from zerokeep.providers.base import StreamEvent, UpstreamError
from zerokeep.retention.content import Content

# Called once when the stream ends, however it ends: with what the stream produced (to archive,
# under an ARCHIVE decision) or None. The pipeline records usage and the archive from it.
Recorder = Callable[[Content[Any] | None], None]

DONE_FRAME = b"data: [DONE]\n\n"


def frame(event: StreamEvent) -> bytes:
    data = orjson.dumps(event.data)
    if event.event is None:
        return b"data: " + data + b"\n\n"
    return b"event: " + event.event.encode() + b"\ndata: " + data + b"\n\n"


def error_frame(error: UpstreamError, framed_as_event: bool) -> bytes:
    data = orjson.dumps({"object": "error", "message": error.message, "type": error.error_type})
    if framed_as_event:
        return b"event: error\ndata: " + data + b"\n\n"
    return b"data: " + data + b"\n\n"


async def relay(
    call: CallMeta,
    model_name: str,
    events: AsyncGenerator[StreamEvent, None],
    first: StreamEvent | None,
    record: Recorder,
) -> AsyncIterator[bytes]:
    keep = call.decision is not None and call.decision.may_archive
    kept: list[dict[str, Any]] = []
    uses_events = first is not None and first.event is not None
    call.status = 200
    try:
        event = first
        while event is not None:
            if "model" in event.data:
                event.data["model"] = model_name
            if "usage" in event.data:
                call.count_usage(event.data["usage"])
            if keep:
                kept.append(event.data)
            chunk = frame(event)
            call.bytes_out += len(chunk)
            yield chunk
            event = await anext(events, None)
        if not uses_events:
            call.bytes_out += len(DONE_FRAME)
            yield DONE_FRAME
    except UpstreamError as error:
        call.status = error.status_code
        yield error_frame(error, uses_events)
    except (asyncio.CancelledError, GeneratorExit):
        call.status = STATUS_CLIENT_CLOSED
        raise
    finally:
        await events.aclose()
        record(Content(kept, size=call.bytes_out) if keep else None)
