"""OpenAI-compatible upstreams (vLLM, Ollama, llama.cpp server, OpenAI) behind the Mistral API.

Requests are translated to OpenAI shapes and answers back to Mistral shapes by the pure
functions of `openai_mapping` and `openai_audio`. Routes such a server does not offer (chat
moderation, classifications, OCR) are refused with RouteNotSupported before any I/O.

    provider = OpenAICompatibleProvider(info, "http://vllm:8000", None, session, timeout_seconds=60)
    answer = await provider.send(UpstreamRequest(Route.CHAT_COMPLETIONS, "qwen", body))
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import aiohttp
import orjson

from zerokeep.providers import openai_audio as audio
from zerokeep.providers import openai_mapping as mapping
from zerokeep.providers.base import (
    FieldNotSupported,
    MalformedUpstreamAnswer,
    ProviderInfo,
    RouteNotSupported,
    StreamEvent,
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
from zerokeep.providers.openai_fields import refuse_unmappable
from zerokeep.retention.catalogue import Route

OPENAI_ROUTES = frozenset(
    {
        Route.CHAT_COMPLETIONS,
        Route.FIM_COMPLETIONS,
        Route.EMBEDDINGS,
        Route.MODERATIONS,
        Route.AUDIO_SPEECH,
        Route.AUDIO_TRANSCRIPTIONS,
    }
)
_PATHS = {
    Route.CHAT_COMPLETIONS: "/v1/chat/completions",
    Route.FIM_COMPLETIONS: "/v1/completions",
    Route.EMBEDDINGS: "/v1/embeddings",
    Route.MODERATIONS: "/v1/moderations",
    Route.AUDIO_SPEECH: "/v1/audio/speech",
    Route.AUDIO_TRANSCRIPTIONS: "/v1/audio/transcriptions",
}
_STREAM_ROUTES = frozenset(
    {Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS, Route.AUDIO_SPEECH, Route.AUDIO_TRANSCRIPTIONS}
)


class OpenAICompatibleProvider:
    """An OpenAI-dialect server; `base_url` is the origin without `/v1` (e.g. http://vllm:8000)."""

    def __init__(
        self,
        info: ProviderInfo,
        base_url: str,
        api_key: str | None,
        session: aiohttp.ClientSession,
        timeout_seconds: float,
    ) -> None:
        self.info = info
        self._name = info.name
        self._session = session
        self._timeout_seconds = timeout_seconds
        self._routes = (info.routes & OPENAI_ROUTES) if info.routes else OPENAI_ROUTES
        base = origin_url(base_url)
        self._urls = {route: base + path for route, path in _PATHS.items()}
        auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._json_headers = {**JSON_HEADERS, **auth}
        self._sse_headers = {**SSE_HEADERS, **auth}
        self._audio_headers = {"Content-Type": "application/json", "Accept": "*/*", **auth}
        self._form_headers = {"Accept": "application/json", **auth}

    def __repr__(self) -> str:
        return f"<OpenAICompatibleProvider {self._name}>"

    def supports(self, route: Route) -> bool:
        return route in self._routes

    async def send(self, request: UpstreamRequest) -> dict[str, Any]:
        """Translate, POST, and return the Mistral-shaped answer."""
        route = request.route
        if route not in self._routes:
            raise RouteNotSupported(self._name)
        body = request.body
        refuse_unmappable(route, body, self._name)
        timeout = request_timeout(request.timeout_seconds or self._timeout_seconds, is_stream=False)
        if route is Route.CHAT_COMPLETIONS:
            payload = mapping.chat_request(body, is_stream=False)
            return mapping.chat_response(await self._post_json(route, payload, timeout))
        if route is Route.FIM_COMPLETIONS:
            payload = mapping.fim_request(body, is_stream=False)
            return mapping.fim_response(await self._post_json(route, payload, timeout))
        if route is Route.EMBEDDINGS:
            payload = mapping.embeddings_request(body)
            answer = await self._post_json(route, payload, timeout)
            try:
                return mapping.embeddings_response(answer)
            except mapping.MalformedEmbeddings:
                raise MalformedUpstreamAnswer(self._name) from None
        if route is Route.MODERATIONS:
            payload = mapping.moderation_request(body)
            return mapping.moderation_response(await self._post_json(route, payload, timeout))
        if route is Route.AUDIO_SPEECH:
            return audio.speech_response(await self._speech(body, timeout))
        return await self._transcribe(request, timeout)

    async def stream(self, request: UpstreamRequest) -> AsyncGenerator[StreamEvent, None]:
        """Yield Mistral stream events; audio streams are synthesised from the whole answer.

        Closing the iterator early (client disconnect) closes the upstream connection.
        """
        route = request.route
        if route not in self._routes or route not in _STREAM_ROUTES:
            raise RouteNotSupported(self._name)
        body = request.body
        refuse_unmappable(route, body, self._name)
        seconds = request.timeout_seconds or self._timeout_seconds
        if route is Route.CHAT_COMPLETIONS:
            mapper = mapping.ChatChunkMapper()
            payload = mapping.chat_request(body, is_stream=True)
            # aclosing: an early close of this stream must close the upstream one now, not at GC.
            async with aclosing(self._chunks(route, payload, seconds)) as chunks:
                async for chunk in chunks:
                    mapped = mapper.map(chunk)
                    if mapped is not None:
                        yield StreamEvent(mapped)
        elif route is Route.FIM_COMPLETIONS:
            is_first = True
            payload = mapping.fim_request(body, is_stream=True)
            async with aclosing(self._chunks(route, payload, seconds)) as chunks:
                async for chunk in chunks:
                    mapped = mapping.fim_chunk(chunk, is_first=is_first)
                    if mapped is not None:
                        is_first = False
                        yield StreamEvent(mapped)
        else:
            timeout = request_timeout(seconds, is_stream=False)
            if route is Route.AUDIO_SPEECH:
                events = audio.speech_events(await self._speech(body, timeout))
            else:
                events = audio.transcription_events(await self._transcribe(request, timeout))
            for event, data in events:
                yield StreamEvent(data, event)

    async def aclose(self) -> None:
        """Nothing to release: the app owns the session."""

    async def _post_json(
        self, route: Route, payload: dict[str, Any], client_timeout: aiohttp.ClientTimeout
    ) -> dict[str, Any]:
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[route],
                data=orjson.dumps(payload),
                headers=self._json_headers,
                timeout=client_timeout,
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            return await read_json(self._name, response)

    async def _chunks(
        self, route: Route, payload: dict[str, Any], seconds: float
    ) -> AsyncGenerator[dict[str, Any], None]:
        client_timeout = request_timeout(seconds, is_stream=True)
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[route],
                data=orjson.dumps(payload),
                headers=self._sse_headers,
                timeout=client_timeout,
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            require_event_stream(self._name, response)
            async for _event, text in iter_sse(response):
                if text == "[DONE]":
                    return
                yield parse_json_object(self._name, text)

    async def _speech(self, body: dict[str, Any], client_timeout: aiohttp.ClientTimeout) -> bytes:
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[Route.AUDIO_SPEECH],
                data=orjson.dumps(audio.speech_request(body)),
                headers=self._audio_headers,
                timeout=client_timeout,
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            return await response.read()

    async def _transcribe(
        self, request: UpstreamRequest, client_timeout: aiohttp.ClientTimeout
    ) -> dict[str, Any]:
        upload = request.file
        if upload is None:  # file_url: an OpenAI server only takes the audio itself
            raise FieldNotSupported(self._name, "file_url")
        form = aiohttp.FormData(quote_fields=False)
        for name, value in audio.transcription_fields(request.body):
            form.add_field(name, value)
        form.add_field(
            "file", upload.data, filename=upload.filename, content_type=upload.content_type
        )
        async with (
            map_transport_errors(self._name),
            self._session.post(
                self._urls[Route.AUDIO_TRANSCRIPTIONS],
                data=form,
                headers=self._form_headers,
                timeout=client_timeout,
            ) as response,
        ):
            await raise_for_upstream_status(self._name, response)
            data = await read_json(self._name, response)
        return audio.transcription_response(data, request.model)
