"""HTTP plumbing shared by the remote providers: error mapping, body reading, SSE parsing.

Every upstream failure leaves this module as a typed `UpstreamError` that carries no upstream
body and no chained exception holding one: error bodies often echo the prompt (the LiteLLM leak
in reference/retention-anchors.md), so they are read to free the connection and dropped.

    async with map_transport_errors("mistral"):
        async with session.post(url, data=payload, timeout=timeout) as response:
            await raise_for_upstream_status("mistral", response)
            body = await read_json("mistral", response)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import aiohttp
import orjson

from zerokeep.providers.base import (
    ContextLengthExceeded,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamFailed,
    UpstreamNotFound,
    UpstreamOverloaded,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)

# An error body larger than this is not drained; the connection is closed instead.
_MAX_DRAINED_ERROR_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"
# An error body is read (to classify it) only up to this size.
_MAX_CLASSIFIED_ERROR_BYTES = 64 * 1024
_MAX_RETRY_AFTER_SECONDS = 3600

CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
# Upstream error codes and types passed on to the client (as the error's `code`): a finite set
# of machine-readable words, never free text. Keys are what upstreams send; values what we send.
KNOWN_UPSTREAM_CODES = {
    "context_length_exceeded": CONTEXT_LENGTH_EXCEEDED,  # OpenAI
    "exceed_context_size_error": CONTEXT_LENGTH_EXCEEDED,  # llama.cpp server (`type`)
    "string_above_max_length": "string_above_max_length",  # OpenAI
    "invalid_api_key": "invalid_api_key",
    "model_not_found": "model_not_found",
    "rate_limit_exceeded": "rate_limit_exceeded",
    "insufficient_quota": "insufficient_quota",
    "content_filter": "content_filter",
    "content_policy_violation": "content_filter",
    "1300": "1300",  # Mistral: rate limit exceeded
}
_CONTEXT_PHRASES = ("context length", "context window", "context size", "maximum context")

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
SSE_HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream"}


def origin_url(base_url: str) -> str:
    """The base URL without trailing slashes or a trailing `/v1` (route paths carry `/v1`).

    OpenAI clients are usually configured with `.../v1`; accepting both spares a 404.
    """
    base = base_url.rstrip("/")
    return base[:-3] if base.endswith("/v1") else base


@lru_cache(maxsize=64)  # ClientTimeout is immutable; most requests share a few values
def request_timeout(seconds: float, *, is_stream: bool) -> aiohttp.ClientTimeout:
    """A per-request timeout: a total budget for a call, an inactivity budget for a stream.

    A stream may legitimately run for minutes, so it is bounded by the time to connect and the
    longest silence between two reads rather than by its total duration.
    """
    if is_stream:
        return aiohttp.ClientTimeout(total=None, sock_connect=seconds, sock_read=seconds)
    return aiohttp.ClientTimeout(total=seconds)


class map_transport_errors:
    """Turn aiohttp/asyncio transport failures into UpstreamTimeout or UpstreamUnavailable.

    The aiohttp exception is not chained (`from None`): the typed error stands alone. A plain
    class rather than @asynccontextmanager: it is entered on every upstream call.
    """

    __slots__ = ("provider",)

    def __init__(self, provider: str) -> None:
        self.provider = provider

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        if error is None or isinstance(error, UpstreamError):
            return
        if isinstance(error, TimeoutError):  # also asyncio's and aiohttp.ServerTimeoutError
            raise UpstreamTimeout(self.provider) from None
        if isinstance(error, aiohttp.ClientPayloadError):
            raise UpstreamFailed(self.provider) from None
        if isinstance(error, aiohttp.ClientError | OSError):
            raise UpstreamUnavailable(self.provider) from None


async def discard_body(response: aiohttp.ClientResponse) -> None:
    """Read and drop a body so the connection can be reused; close it if the body is huge."""
    drained = 0
    try:
        async for chunk in response.content.iter_chunked(65536):
            drained += len(chunk)
            if drained > _MAX_DRAINED_ERROR_BYTES:
                response.close()
                return
    except (aiohttp.ClientError, TimeoutError, OSError):
        response.close()


async def raise_for_upstream_status(provider: str, response: aiohttp.ClientResponse) -> None:
    """Return if the upstream answered 2xx; otherwise raise a typed error, keeping only what
    carries no content: the status class, a known error code, and `Retry-After`.

    400/413/422 -> UpstreamRejected (ContextLengthExceeded when the upstream says so),
    401/403 -> UpstreamAuthFailed (502: the gateway's key), 404 -> UpstreamNotFound (502),
    408/504 -> UpstreamTimeout, 429 -> UpstreamRateLimited, 503 -> UpstreamOverloaded,
    anything else -> UpstreamFailed. The body is read (bounded), classified and dropped.
    """
    status = response.status
    if 200 <= status < 300:
        return
    retry_after = _retry_after(response.headers.get("Retry-After"))
    code = await _error_code(response)
    if status == 429:
        raise UpstreamRateLimited(provider, status, code=code, retry_after=retry_after)
    if status == 503:
        raise UpstreamOverloaded(provider, status, code=code, retry_after=retry_after)
    if status in (408, 504):
        raise UpstreamTimeout(provider, status)
    if status in (401, 403):
        raise UpstreamAuthFailed(provider, status, code=code)
    if status == 404:
        raise UpstreamNotFound(provider, status, code=code)
    if 400 <= status < 500:
        if code == CONTEXT_LENGTH_EXCEEDED:
            raise ContextLengthExceeded(provider, status)
        raise UpstreamRejected(provider, status, code=code)
    raise UpstreamFailed(provider, status, code=code)


def _retry_after(value: str | None) -> int | None:
    """Whole seconds from a `Retry-After` header, bounded; an HTTP date or junk gives None."""
    if value is None or not value.strip().isdigit():
        return None
    return min(int(value.strip()), _MAX_RETRY_AFTER_SECONDS)


async def _error_code(response: aiohttp.ClientResponse) -> str | None:
    """The upstream's machine-readable error code, if it is one of a known, finite set.

    The body (which may echo the prompt) is read up to a bound, looked at for its `code` or
    `type` (at the top level or under `error`), and dropped; nothing else of it is kept.
    """
    raw = await _read_bounded(response)
    if raw is None:
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    nested = data.get("error")
    places = [data, nested] if isinstance(nested, dict) else [data]
    for place in places:
        for key in ("code", "type"):
            value = place.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                known = KNOWN_UPSTREAM_CODES.get(str(value))
                if known is not None:
                    return known
    if response.status in (400, 413, 422):
        for place in places:
            message = place.get("message")
            if isinstance(message, str) and _says_context_exceeded(message):
                return CONTEXT_LENGTH_EXCEEDED
    return None


def _says_context_exceeded(message: str) -> bool:
    # vLLM and others say so only in prose ("This model's maximum context length is ...").
    lowered = message[:2000].lower()
    return any(phrase in lowered for phrase in _CONTEXT_PHRASES)


async def _read_bounded(response: aiohttp.ClientResponse) -> bytes | None:
    """The body if it is at most _MAX_CLASSIFIED_ERROR_BYTES; otherwise close and give None."""
    chunks = bytearray()
    try:
        async for chunk in response.content.iter_chunked(65536):
            chunks += chunk
            if len(chunks) > _MAX_CLASSIFIED_ERROR_BYTES:
                response.close()
                return None
    except (aiohttp.ClientError, TimeoutError, OSError):
        response.close()
        return None
    return bytes(chunks)


def parse_json_object(provider: str, raw: bytes | str) -> dict[str, Any]:
    """Decode a JSON object, or raise UpstreamFailed without chaining the decoder error.

    orjson.JSONDecodeError keeps the whole document in `.doc`; raising outside the `except`
    block keeps it out of `__context__` too.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise UpstreamFailed(provider)
    return data


async def read_json(provider: str, response: aiohttp.ClientResponse) -> dict[str, Any]:
    """Read a whole 2xx response as a JSON object."""
    return parse_json_object(provider, await response.read())


def require_event_stream(provider: str, response: aiohttp.ClientResponse) -> None:
    """Refuse a 2xx answer to a stream request that is not an event stream."""
    if response.content_type != "text/event-stream":
        response.close()
        raise UpstreamFailed(provider, response.status)


async def iter_sse(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str | None, str]]:
    """Yield (event, data) for each server-sent event of a response.

    Lines may end in \\n or \\r\\n; a leading UTF-8 BOM is ignored; comments, `id:` and `retry:`
    are skipped; multi-line data is joined with \\n. An event left open at EOF is still yielded.

        async for event, data in iter_sse(response):
            if data == "[DONE]":
                break
    """
    buffer = b""
    at_start = True
    event: str | None = None
    data_lines: list[bytes] = []
    async for chunk in response.content.iter_any():
        buffer += chunk
        if at_start:
            if len(buffer) < len(_BOM) and _BOM.startswith(buffer):
                continue
            at_start = False
            if buffer.startswith(_BOM):
                buffer = buffer[len(_BOM) :]
        if b"\n" not in buffer:
            continue
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data_lines:
                    yield event, b"\n".join(data_lines).decode(errors="replace")
                event, data_lines = None, []
                continue
            field, value = _split_field(line)
            if field == b"data":
                data_lines.append(value)
            elif field == b"event":
                event = value.decode(errors="replace")
    if buffer.rstrip(b"\r"):
        field, value = _split_field(buffer.rstrip(b"\r"))
        if field == b"data":
            data_lines.append(value)
    if data_lines:
        yield event, b"\n".join(data_lines).decode(errors="replace")


def _split_field(line: bytes) -> tuple[bytes, bytes]:
    field, _, value = line.partition(b":")
    if value.startswith(b" "):
        value = value[1:]
    return field, value
