"""The Mistral API upstream: forwards Mistral-shaped requests unchanged to api.mistral.ai.

The body is already a validated Mistral request, so the provider only adds the bearer key, picks
JSON or multipart framing, and relays the answer (or its stream events) as parsed JSON.

    provider = MistralProvider(info, "https://api.mistral.ai", key, session, timeout_seconds=60)
    answer = await provider.send(UpstreamRequest(Route.EMBEDDINGS, "mistral-embed", body))
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

import aiohttp
import orjson

from zerokeep.providers.base import (
    ProviderInfo,
    RouteNotSupported,
    StreamEvent,
    UploadedFile,
    UpstreamRequest,
)
from zerokeep.providers.http import (
    JSON_HEADERS,
    SSE_HEADERS,
    iter_sse,
    map_transport_errors,
    origin_url,
    parse_json_object,
    raise_for_upstream_status,
    read_json,
    request_timeout,
    require_event_stream,
)
from zerokeep.retention.catalogue import Route

ALL_ROUTES = frozenset(Route)
STREAM_ROUTES = frozenset(
    {Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS, Route.AUDIO_SPEECH, Route.AUDIO_TRANSCRIPTIONS}
)
# Chat and FIM streams are data-only and end with `data: [DONE]`; audio streams name each event.
_DATA_ONLY_ROUTES = frozenset({Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS})


class MistralProvider:
    """A Mistral API (or Mistral-compatible) upstream over an injected aiohttp session."""

    def __init__(
        self,
        info: ProviderInfo,
        base_url: str,
        api_key: str,
        session: aiohttp.ClientSession,
        timeout_seconds: float,
    ) -> None:
        self.info = info
        self._name = info.name
        self._session = session
        self._timeout_seconds = timeout_seconds
        self._routes = (info.routes & ALL_ROUTES) if info.routes else ALL_ROUTES
        base = origin_url(base_url)
        self._urls = {route: base + route.value for route in Route}
        auth = {"Authorization": f"Bearer {api_key}"}
        self._json_headers = {**JSON_HEADERS, **auth}
        self._sse_headers = {**SSE_HEADERS, **auth}
        self._form_headers = {"Accept": "application/json", **auth}
        self._form_sse_headers = {"Accept": "text/event-stream", **auth}

    def __repr__(self) -> str:
        return f"<MistralProvider {self._name}>"

    def supports(self, route: Route) -> bool:
        return route in self._routes

    async def send(self, request: UpstreamRequest) -> dict[str, Any]:
        """POST the request and return the parsed JSON answer."""
        route = request.route
        if route not in self._routes:
            raise RouteNotSupported(self._name)
        body = request.body
        if body.get("stream"):
            body = {**body, "stream": False}
        timeout = request_timeout(request.timeout_seconds or self._timeout_seconds, is_stream=False)
        data: bytes | aiohttp.FormData
        if route is Route.AUDIO_TRANSCRIPTIONS:
            data, headers = build_form(body, request.file), self._form_headers
        else:
            data, headers = orjson.dumps(body), self._json_headers
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[route], data=data, headers=headers, timeout=timeout
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            return await read_json(self._name, response)

    async def stream(self, request: UpstreamRequest) -> AsyncGenerator[StreamEvent, None]:
        """POST with stream=true and yield each event until [DONE] or the end of the stream.

        Closing the iterator early (client disconnect) closes the upstream connection.
        """
        route = request.route
        if route not in self._routes or route not in STREAM_ROUTES:
            raise RouteNotSupported(self._name)
        body = {**request.body, "stream": True}
        timeout = request_timeout(request.timeout_seconds or self._timeout_seconds, is_stream=True)
        data: bytes | aiohttp.FormData
        if route is Route.AUDIO_TRANSCRIPTIONS:
            data, headers = build_form(body, request.file), self._form_sse_headers
        else:
            data, headers = orjson.dumps(body), self._sse_headers
        is_data_only = route in _DATA_ONLY_ROUTES
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[route], data=data, headers=headers, timeout=timeout
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            require_event_stream(self._name, response)
            async for event, text in iter_sse(response):
                if text == "[DONE]":
                    return
                payload = parse_json_object(self._name, text)
                if is_data_only:
                    yield StreamEvent(payload)
                else:
                    yield StreamEvent(payload, event or payload.get("type"))

    async def aclose(self) -> None:
        """Nothing to release: the app owns the session."""


def build_form(fields: Mapping[str, Any], file: UploadedFile | None) -> aiohttp.FormData:
    """Multipart form for a transcription: the audio part plus each field, as the SDK sends them.

    Booleans become "true"/"false", lists repeat the field name, objects are JSON.
    """
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            for item in value:
                form.add_field(name, form_value(item))
        else:
            form.add_field(name, form_value(value))
    if file is not None:
        form.add_field("file", file.data, filename=file.filename, content_type=file.content_type)
    return form


def form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)
