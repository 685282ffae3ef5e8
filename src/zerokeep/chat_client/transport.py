"""HTTP for `zerokeep chat`: streamed chat completions and the privacy check, over aiohttp.

    async with Transport("http://127.0.0.1:8000", api_key) as transport:
        async with transport.chat({"model": "local-chat", "messages": [...]}) as reply:
            reply.retention            # the `zerokeep-retention` header, or "unknown"
            async for piece in reply.pieces():
                ...

Every failure the user should see is a `ChatError` whose message says what happened and what to
do; server error bodies are reduced to their `message` field.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

import aiohttp

RETENTION_HEADER = "zerokeep-retention"
UNKNOWN_RETENTION = "unknown"
_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=300)


class ChatError(Exception):
    """A failure shown to the user as one clear line; `exit_code` is the command's exit status."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ZdrRefused(ChatError):
    """--require-zdr could not be satisfied: nothing (more) is sent."""

    exit_code = 3


def api_base(url: str) -> str:
    """`https://api.mistral.ai/v1/` and `https://api.mistral.ai` both give the latter."""
    return url.strip().rstrip("/").removesuffix("/v1")


class Reply:
    """One streamed answer: the retention regime the server reported, then its text pieces."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.retention = response.headers.get(RETENTION_HEADER, UNKNOWN_RETENTION)

    async def pieces(self) -> AsyncIterator[str]:
        async for data in _sse_data(self._response.content):
            if data == "[DONE]":
                return
            event = _json_object(data)
            if event.get("object") == "error":
                raise ChatError(f"The server stopped the answer: {_message_of(event)}")
            for choice in event.get("choices") or []:
                piece = _text((choice.get("delta") or {}).get("content"))
                if piece:
                    yield piece


class Transport:
    """A connection pool to one server, authenticated with one key (or none)."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = api_base(base_url)
        self._api_key = api_key
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Transport:
        headers = {"User-Agent": "zerokeep-chat"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        self._session = aiohttp.ClientSession(headers=headers, timeout=_TIMEOUT)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def privacy(self) -> dict[str, Any]:
        """GET /v1/organization/privacy (a zerokeep endpoint; other servers answer 404)."""
        async with self._request("GET", "/v1/organization/privacy") as response:
            if response.status == 404:
                raise ZdrRefused(
                    f"{self.base_url} does not report Zero Data Retention (no "
                    "/v1/organization/privacy): with --require-zdr nothing is sent."
                )
            await self._raise_for_status(response)
            return _json_object(await response.text())

    @asynccontextmanager
    async def chat(self, body: dict[str, Any]) -> AsyncIterator[Reply]:
        """POST /v1/chat/completions with stream=true; the body's other fields are the caller's."""
        payload = {**body, "stream": True}
        headers = {"Accept": "text/event-stream"}
        async with self._request("POST", "/v1/chat/completions", payload, headers) as response:
            await self._raise_for_status(response)
            try:
                yield Reply(response)
            except (TimeoutError, aiohttp.ClientError) as error:
                raise self._connection_error(error) from None

    @asynccontextmanager
    async def _request(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        assert self._session is not None, "use `async with Transport(...)`"
        try:
            response = await self._session.request(
                method, self.base_url + path, json=payload, headers=headers
            )
        except (TimeoutError, aiohttp.ClientError) as error:
            raise self._connection_error(error) from None
        try:
            yield response
        finally:
            response.release()

    def _connection_error(self, error: BaseException) -> ChatError:
        if isinstance(error, aiohttp.ClientConnectorError):
            reason = error.os_error.strerror or type(error.os_error).__name__
            return ChatError(f"Cannot reach {self.base_url}: {reason}. Is the server running?")
        if isinstance(error, TimeoutError):
            return ChatError(f"{self.base_url} did not answer in time.")
        return ChatError(f"The connection to {self.base_url} failed ({type(error).__name__}).")

    async def _raise_for_status(self, response: aiohttp.ClientResponse) -> None:
        if response.status < 400:
            return
        try:
            message = _message_of(_json_object(await response.text()))
        except (TimeoutError, ChatError, aiohttp.ClientError):
            message = response.reason or "no details"
        message = message.rstrip(". ")
        status = response.status
        retry_after = response.headers.get("Retry-After")
        wait = f" Retry after {retry_after} s." if retry_after else ""
        if status == 401:
            hint = (
                "check --api-key (or ZEROKEEP_API_KEY / MISTRAL_API_KEY)."
                if self._api_key
                else "no API key was given: pass --api-key or set ZEROKEEP_API_KEY."
            )
            raise ChatError(f"The server refused the API key (401 {message}): {hint}")
        if status == 429:
            raise ChatError(f"Rate limited (429): {message}.{wait}")
        if status == 503:
            raise ChatError(f"The server is busy (503): {message}.{wait}")
        raise ChatError(f"The server answered {status}: {message}.")


async def _sse_data(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    """The `data` of each server-sent event (several `data:` lines of one event are joined)."""
    lines: list[str] = []
    async for raw in content:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n").lstrip("\ufeff")
        if not line:
            if lines:
                yield "\n".join(lines)
                lines = []
        elif line.startswith("data:"):
            lines.append(line[5:].removeprefix(" "))
    if lines:
        yield "\n".join(lines)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise ChatError("The server sent a response that is not JSON.") from None
    if not isinstance(value, dict):
        raise ChatError("The server sent a JSON response that is not an object.")
    return value


def _message_of(error: dict[str, Any]) -> str:
    """The readable part of a Mistral-shaped (or FastAPI-shaped) error body."""
    message = error.get("message", error.get("detail"))
    if isinstance(message, dict) and "detail" in message:
        message = message["detail"]
    if isinstance(message, list):
        parts = [
            str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in message
        ]
        return "; ".join(parts)
    return str(message) if message else "no details"


def _text(content: Any) -> str:
    """Delta content is a string, or (reasoning models) a list of typed chunks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(chunk.get("text", ""))
            for chunk in content
            if isinstance(chunk, dict) and chunk.get("type") == "text"
        )
    return ""
