"""Tests for MistralProvider against FakeUpstream over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import socket
from typing import Any

import aiohttp
import pytest
from mistralai.client import models as sdk

from tests.fakes import FakeUpstream
from zerokeep.providers.base import (
    ProviderInfo,
    RouteNotSupported,
    StreamEvent,
    UploadedFile,
    UpstreamError,
    UpstreamFailed,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamRequest,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from zerokeep.providers.mistral import MistralProvider
from zerokeep.retention.catalogue import Route

from .conftest import CANARY

PROMPT = f"hello {CANARY}"
AUDIO = UploadedFile("clip.wav", "audio/wav", f"spoken {CANARY}".encode())
CHAT = {"messages": [{"role": "user", "content": PROMPT}]}


def _provider(
    fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo, timeout: float = 5
) -> MistralProvider:
    return MistralProvider(info, fake.base_url + "/", "sk-test", session, timeout_seconds=timeout)


def _request(route: Route, body: dict[str, Any], model: str = "m", **kw: Any) -> UpstreamRequest:
    return UpstreamRequest(route, model, {"model": model, **body}, **kw)


def _assert_no_leak(error: BaseException) -> None:
    assert CANARY not in f"{error} {error!r} {error.args}"
    assert error.__cause__ is None


async def _collect(provider: MistralProvider, request: UpstreamRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def _message(message: sdk.AssistantMessage | None) -> sdk.AssistantMessage:
    assert message is not None
    return message


class TestSend:
    async def test_chat(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        answer = await _provider(fake, session, info).send(_request(Route.CHAT_COMPLETIONS, CHAT))
        parsed = sdk.ChatCompletionResponse.model_validate(answer)
        assert _message(parsed.choices[0].message).content == "echo: " + PROMPT
        assert fake.last_authorization == "Bearer sk-test"
        assert fake.count("/v1/chat/completions") == 1
        assert fake.last_bodies["/v1/chat/completions"].get("stream") is not True

    async def test_fim(self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any) -> None:
        request = _request(Route.FIM_COMPLETIONS, {"prompt": PROMPT, "suffix": "end"})
        answer = await _provider(fake, session, info).send(request)
        assert _message(sdk.FIMCompletionResponse.model_validate(answer).choices[0].message).content

    async def test_embeddings(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        request = _request(Route.EMBEDDINGS, {"input": [PROMPT, "b"], "output_dimension": 4})
        answer = await _provider(fake, session, info).send(request)
        parsed = sdk.EmbeddingResponse.model_validate(answer)
        assert [len(item.embedding or []) for item in parsed.data] == [4, 4]

    @pytest.mark.parametrize(
        ("route", "body", "model"),
        [
            (Route.MODERATIONS, {"input": ["violence " + PROMPT]}, sdk.ModerationResponse),
            (Route.CHAT_MODERATIONS, {"input": CHAT["messages"]}, sdk.ModerationResponse),
            (Route.CLASSIFICATIONS, {"input": PROMPT}, sdk.ClassificationResponse),
            (Route.CHAT_CLASSIFICATIONS, {"input": CHAT}, sdk.ClassificationResponse),
        ],
    )
    async def test_classifiers(
        self,
        fake: FakeUpstream,
        session: aiohttp.ClientSession,
        info: Any,
        route: Route,
        body: dict[str, Any],
        model: Any,
    ) -> None:
        answer = await _provider(fake, session, info).send(_request(route, body))
        assert len(model.model_validate(answer).results) == 1
        assert fake.count(route.value) == 1

    async def test_ocr_echoes_data_url_text(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        url = "data:text/plain;base64," + base64.b64encode(PROMPT.encode()).decode()
        body = {"document": {"type": "document_url", "document_url": url}}
        answer = await _provider(fake, session, info).send(_request(Route.OCR, body))
        assert sdk.OCRResponse.model_validate(answer).pages[0].markdown == PROMPT

    async def test_speech(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        request = _request(Route.AUDIO_SPEECH, {"input": PROMPT, "voice_id": "v"})
        answer = await _provider(fake, session, info).send(request)
        audio = base64.b64decode(sdk.SpeechResponse.model_validate(answer).audio_data)
        assert PROMPT.encode() in audio

    async def test_transcription_is_multipart(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        body = {"language": "en", "diarize": False, "timestamp_granularities": ["segment", "word"]}
        request = _request(Route.AUDIO_TRANSCRIPTIONS, body, file=AUDIO)
        answer = await _provider(fake, session, info).send(request)
        parsed = sdk.TranscriptionResponse.model_validate(answer)
        assert CANARY in parsed.text
        sent = fake.last_bodies["/v1/audio/transcriptions"]
        assert sent["diarize"] == "false"
        assert sent.get("stream") != "true"
        assert sent["timestamp_granularities"] == ["segment", "word"]


class TestStream:
    async def test_chat_stream_stops_at_done(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        provider = _provider(fake, session, info)
        events = await _collect(provider, _request(Route.CHAT_COMPLETIONS, CHAT))
        chunks = [sdk.CompletionChunk.model_validate(event.data) for event in events]
        assert all(event.event is None for event in events)
        text = "".join(str(chunk.choices[0].delta.content or "") for chunk in chunks)
        assert text == "echo: " + PROMPT
        assert chunks[-1].usage is not None
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert fake.last_bodies["/v1/chat/completions"]["stream"] is True

    async def test_fim_stream(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        request = _request(Route.FIM_COMPLETIONS, {"prompt": PROMPT})
        events = await _collect(_provider(fake, session, info), request)
        assert len(events) >= 3
        sdk.CompletionChunk.model_validate(events[-1].data)

    async def test_speech_stream_has_event_names(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        request = _request(Route.AUDIO_SPEECH, {"input": PROMPT})
        events = await _collect(_provider(fake, session, info), request)
        names = [event.event for event in events]
        assert names == ["speech.audio.delta", "speech.audio.delta", "speech.audio.done"]
        audio = b"".join(
            base64.b64decode(sdk.SpeechStreamAudioDelta.model_validate(e.data).audio_data)
            for e in events[:-1]
        )
        assert PROMPT.encode() in audio
        sdk.SpeechStreamDone.model_validate(events[-1].data)

    async def test_transcription_stream(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        request = _request(Route.AUDIO_TRANSCRIPTIONS, {"language": "en"}, file=AUDIO)
        events = await _collect(_provider(fake, session, info), request)
        assert events[0].event == "transcription.language"
        assert events[-1].event == "transcription.done"
        done = sdk.TranscriptionStreamDone.model_validate(events[-1].data)
        deltas = "".join(e.data["text"] for e in events if e.event == "transcription.text.delta")
        assert deltas == done.text
        assert fake.last_bodies["/v1/audio/transcriptions"]["stream"] == "true"

    async def test_crlf_framing_with_bom(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        events = await _collect(
            _provider(fake, session, info), _request(Route.CHAT_COMPLETIONS, CHAT, "sse-crlf")
        )
        assert "".join(e.data["choices"][0]["delta"].get("content", "") for e in events)

    async def test_non_streaming_route_is_refused(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        with pytest.raises(RouteNotSupported):
            await _collect(_provider(fake, session, info), _request(Route.EMBEDDINGS, {}))
        assert fake.count("/v1/embeddings") == 0

    async def test_cancelling_a_stream_closes_the_upstream_connection(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        stream = _provider(fake, session, info).stream(
            _request(Route.CHAT_COMPLETIONS, CHAT, "stream-hold")
        )
        first = await anext(stream)
        assert first.data["choices"][0]["delta"]["role"] == "assistant"
        await stream.aclose()
        assert await asyncio.to_thread(fake.disconnected.wait, 5)
        assert fake.disconnects == 1

    async def test_cancelling_the_consumer_task_closes_the_upstream_connection(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        provider = _provider(fake, session, info)

        async def consume() -> None:
            async with asyncio.timeout(30):
                stream = provider.stream(_request(Route.CHAT_COMPLETIONS, CHAT, "stream-hold"))
                try:
                    async for _ in stream:
                        pass
                finally:
                    await stream.aclose()

        task = asyncio.create_task(consume())
        assert await asyncio.to_thread(fake.stream_started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(fake.disconnected.wait, 5)


class TestErrors:
    @pytest.mark.parametrize(
        ("model", "error", "status"),
        [
            ("fail-500-echo", UpstreamFailed, 500),
            ("fail-400-echo", UpstreamRejected, 400),
            ("fail-429", UpstreamRateLimited, 429),
            ("bad-json", UpstreamFailed, None),
        ],
    )
    @pytest.mark.parametrize("is_stream", [False, True])
    async def test_upstream_failures_carry_no_body(
        self,
        fake: FakeUpstream,
        session: aiohttp.ClientSession,
        info: Any,
        model: str,
        error: type[UpstreamError],
        status: int | None,
        is_stream: bool,
    ) -> None:
        provider = _provider(fake, session, info)
        request = _request(Route.CHAT_COMPLETIONS, CHAT, model)
        with pytest.raises(error) as caught:
            if is_stream:
                await _collect(provider, request)
            else:
                await provider.send(request)
        if not (is_stream and model == "bad-json"):  # a stream refuses the content type
            assert caught.value.upstream_status == status
        _assert_no_leak(caught.value)
        assert caught.value.__context__ is None or CANARY not in repr(caught.value.__context__)

    async def test_hang_times_out(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        provider = _provider(fake, session, info, timeout=0.2)
        with pytest.raises(UpstreamTimeout) as caught:
            await provider.send(_request(Route.EMBEDDINGS, {"input": PROMPT}, "hang"))
        _assert_no_leak(caught.value)

    async def test_stream_hang_times_out(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: Any
    ) -> None:
        provider = _provider(fake, session, info, timeout=5)
        request = _request(Route.CHAT_COMPLETIONS, CHAT, "hang", timeout_seconds=0.2)
        with pytest.raises(UpstreamTimeout):
            await _collect(provider, request)

    async def test_connection_refused_is_unavailable(
        self, session: aiohttp.ClientSession, info: Any
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        provider = MistralProvider(info, f"http://127.0.0.1:{port}", "k", session, 5)
        with pytest.raises(UpstreamUnavailable):
            await provider.send(_request(Route.CHAT_COMPLETIONS, CHAT))


class TestRoutes:
    def test_supports_every_route_by_default(self, session: Any, info: Any) -> None:
        provider = MistralProvider(info, "http://x", "k", session, 5)
        assert all(provider.supports(route) for route in Route)

    async def test_declared_routes_restrict(self, fake: FakeUpstream, session: Any) -> None:
        info = ProviderInfo("m", "mistral", None, frozenset({Route.EMBEDDINGS}))
        provider = _provider(fake, session, info)
        assert not provider.supports(Route.OCR)
        with pytest.raises(RouteNotSupported):
            await provider.send(_request(Route.OCR, {}))

    def test_repr_hides_the_key(self, session: Any, info: Any) -> None:
        assert "sk-secret" not in repr(MistralProvider(info, "http://x", "sk-secret", session, 5))
