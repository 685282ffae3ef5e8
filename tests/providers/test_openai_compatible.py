"""Tests for OpenAICompatibleProvider against FakeUpstream's OpenAI dialect over real HTTP."""

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
    FieldNotSupported,
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
from zerokeep.providers.openai_compatible import OpenAICompatibleProvider
from zerokeep.retention.catalogue import Route

from .conftest import CANARY

PROMPT = f"hello {CANARY}"
AUDIO = UploadedFile("clip.wav", "audio/wav", f"spoken {CANARY}".encode())
CHAT: dict[str, Any] = {"messages": [{"role": "user", "content": PROMPT}]}
TOOLS = [
    {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
    },
]


def _provider(
    fake: FakeUpstream,
    session: aiohttp.ClientSession,
    info: ProviderInfo,
    timeout: float = 5,
    api_key: str | None = "sk-oa",
) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(info, fake.openai_base_url, api_key, session, timeout)


def _request(route: Route, body: dict[str, Any], model: str = "m", **kw: Any) -> UpstreamRequest:
    return UpstreamRequest(route, model, {"model": model, **body}, **kw)


async def _collect(
    provider: OpenAICompatibleProvider, request: UpstreamRequest
) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def _sent(fake: FakeUpstream, path: str) -> dict[str, Any]:
    return fake.last_bodies["/openai" + path]


def _message(message: sdk.AssistantMessage | None) -> sdk.AssistantMessage:
    assert message is not None
    return message


class TestChat:
    async def test_send_maps_request_and_response(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        body = {
            **CHAT,
            "random_seed": 7,
            "safe_prompt": False,
            "guardrails": [],
            "prediction": {"type": "content", "content": "x"},
            "temperature": 0.3,
        }
        answer = await _provider(fake, session, info).send(_request(Route.CHAT_COMPLETIONS, body))
        parsed = sdk.ChatCompletionResponse.model_validate(answer)
        assert _message(parsed.choices[0].message).content == "echo: " + PROMPT
        assert parsed.usage.total_tokens == answer["usage"]["total_tokens"] > 0
        sent = _sent(fake, "/v1/chat/completions")
        assert sent["seed"] == 7
        assert sent["temperature"] == 0.3
        assert sent["prediction"] == {"type": "content", "content": "x"}
        for field in ("random_seed", "safe_prompt", "guardrails"):
            assert field not in sent
        assert fake.last_authorization == "Bearer sk-oa"

    async def test_tool_call_send(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        body = {**CHAT, "tools": TOOLS, "tool_choice": "any"}
        answer = await _provider(fake, session, info).send(_request(Route.CHAT_COMPLETIONS, body))
        sent = _sent(fake, "/v1/chat/completions")
        assert sent["tool_choice"] == "required"
        assert [tool["type"] for tool in sent["tools"]] == ["function"]
        choice = sdk.ChatCompletionResponse.model_validate(answer).choices[0]
        assert choice.finish_reason == "tool_calls"
        tool_calls = _message(choice.message).tool_calls
        assert isinstance(tool_calls, list)
        assert tool_calls[0].function.name == "lookup"

    async def test_history_with_tool_calls_and_image_chunks(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        messages = [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": PROMPT},
                    {"type": "image_url", "image_url": "https://example.test/a.png"},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "prefix": False,
                "tool_calls": [{"id": "c1", "function": {"name": "lookup", "arguments": {"q": 1}}}],
            },
            {"role": "tool", "content": "42", "tool_call_id": "c1", "name": "lookup"},
        ]
        request = _request(Route.CHAT_COMPLETIONS, {"messages": messages})
        await _provider(fake, session, info).send(request)
        sent = _sent(fake, "/v1/chat/completions")["messages"]
        assert sent[1]["content"][1] == {
            "type": "image_url",
            "image_url": {"url": "https://example.test/a.png"},
        }
        assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"q":1}'
        assert "prefix" not in sent[2]
        assert sent[3] == {"role": "tool", "content": "42", "tool_call_id": "c1"}

    async def test_stream_maps_chunks_and_asks_for_usage(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        provider = _provider(fake, session, info)
        events = await _collect(provider, _request(Route.CHAT_COMPLETIONS, CHAT))
        chunks = [sdk.CompletionChunk.model_validate(event.data) for event in events]
        assert all(event.data["object"] == "chat.completion.chunk" for event in events)
        text = "".join(str(c.choices[0].delta.content or "") for c in chunks if c.choices)
        assert text == "echo: " + PROMPT
        assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens
        assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks)
        assert _sent(fake, "/v1/chat/completions")["stream_options"] == {"include_usage": True}

    async def test_stream_tool_call_fragments_are_relayed_as_they_arrive(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        body = {**CHAT, "tools": TOOLS, "tool_choice": "any"}
        events = await _collect(
            _provider(fake, session, info), _request(Route.CHAT_COMPLETIONS, body)
        )
        chunks = [sdk.CompletionChunk.model_validate(event.data) for event in events]
        calls = [
            call for c in chunks if c.choices for call in (c.choices[0].delta.tool_calls or [])
        ]
        assert len(calls) == 4  # the name, then three pieces of the arguments
        assert {call.index for call in calls} == {0}
        assert "".join(call.function.name for call in calls) == "lookup"
        assert "".join(str(call.function.arguments) for call in calls) == (
            '{"text": "' + PROMPT + '"}'
        )
        assert calls[0].id == "call_1"

    async def test_cancelling_a_stream_closes_the_upstream_connection(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        stream = _provider(fake, session, info).stream(
            _request(Route.CHAT_COMPLETIONS, CHAT, "stream-hold")
        )
        await anext(stream)
        await stream.aclose()
        assert await asyncio.to_thread(fake.disconnected.wait, 5)
        assert fake.disconnects == 1


class TestFim:
    async def test_send_uses_completions(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        body = {"prompt": PROMPT, "suffix": "}", "random_seed": 3, "min_tokens": 2}
        answer = await _provider(fake, session, info).send(_request(Route.FIM_COMPLETIONS, body))
        choice = sdk.FIMCompletionResponse.model_validate(answer).choices[0]
        assert _message(choice.message).content == "echo: " + PROMPT
        assert choice.finish_reason == "length"
        sent = _sent(fake, "/v1/completions")
        assert (sent["prompt"], sent["suffix"], sent["seed"]) == (PROMPT, "}", 3)
        assert sent["min_tokens"] == 2  # vLLM's extension; a server without it says so

    async def test_stream(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.FIM_COMPLETIONS, {"prompt": PROMPT})
        events = await _collect(_provider(fake, session, info), request)
        chunks = [sdk.CompletionChunk.model_validate(event.data) for event in events]
        assert chunks[0].choices[0].delta.role == "assistant"
        text = "".join(str(c.choices[0].delta.content or "") for c in chunks if c.choices)
        assert text == "echo: " + PROMPT
        assert chunks[-1].usage is not None


class TestEmbeddingsAndModeration:
    async def test_embeddings(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.EMBEDDINGS, {"input": [PROMPT], "output_dimension": 5})
        answer = await _provider(fake, session, info).send(request)
        parsed = sdk.EmbeddingResponse.model_validate(answer)
        assert len(parsed.data[0].embedding or []) == 5
        assert _sent(fake, "/v1/embeddings")["dimensions"] == 5
        assert answer["usage"]["completion_tokens"] == 0

    async def test_non_float_embeddings_are_rejected_before_io(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.EMBEDDINGS, {"input": PROMPT, "output_dtype": "int8"})
        with pytest.raises(FieldNotSupported):
            await _provider(fake, session, info).send(request)
        assert fake.count("/openai/v1/embeddings") == 0

    async def test_moderation_categories_are_mapped(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.MODERATIONS, {"input": ["violence " + PROMPT, "calm"]})
        answer = await _provider(fake, session, info).send(request)
        flagged, calm = sdk.ModerationResponse.model_validate(answer).results
        assert flagged.categories == {
            "sexual": False,
            "hate_and_discrimination": False,
            "violence_and_threats": True,
            "dangerous_and_criminal_content": False,
            "selfharm": False,
        }
        assert flagged.category_scores is not None
        assert flagged.category_scores["violence_and_threats"] == 0.91
        assert calm.categories is not None and not any(calm.categories.values())


class TestAudio:
    async def test_speech_send(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.AUDIO_SPEECH, {"input": PROMPT, "response_format": "wav"})
        answer = await _provider(fake, session, info).send(request)
        audio = base64.b64decode(sdk.SpeechResponse.model_validate(answer).audio_data)
        assert PROMPT.encode() in audio
        sent = _sent(fake, "/v1/audio/speech")
        assert (sent["voice"], sent["response_format"]) == ("alloy", "wav")

    async def test_speech_stream(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.AUDIO_SPEECH, {"input": PROMPT, "voice_id": "nova"})
        events = await _collect(_provider(fake, session, info), request)
        assert [e.event for e in events] == ["speech.audio.delta", "speech.audio.done"]
        delta = sdk.SpeechStreamAudioDelta.model_validate(events[0].data)
        assert PROMPT.encode() in base64.b64decode(delta.audio_data)
        sdk.SpeechStreamDone.model_validate(events[1].data)
        assert _sent(fake, "/v1/audio/speech")["voice"] == "nova"

    async def test_transcription_send(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        body = {"language": "en", "timestamp_granularities": ["segment"], "diarize": False}
        request = _request(Route.AUDIO_TRANSCRIPTIONS, body, "whisper", file=AUDIO)
        answer = await _provider(fake, session, info).send(request)
        parsed = sdk.TranscriptionResponse.model_validate(answer)
        assert CANARY in parsed.text
        assert parsed.model == "whisper"
        assert parsed.segments is not None and parsed.segments[0].end == 1.5
        assert parsed.usage.prompt_audio_seconds == 2
        sent = _sent(fake, "/v1/audio/transcriptions")
        assert sent["response_format"] == "verbose_json"
        assert sent["timestamp_granularities[]"] == "segment"
        assert "diarize" not in sent

    async def test_transcription_stream(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.AUDIO_TRANSCRIPTIONS, {}, "whisper", file=AUDIO)
        events = await _collect(_provider(fake, session, info), request)
        names = [e.event for e in events]
        assert names == ["transcription.language", "transcription.text.delta", "transcription.done"]
        sdk.TranscriptionStreamTextDelta.model_validate(events[1].data)
        done = sdk.TranscriptionStreamDone.model_validate(events[2].data)
        assert events[1].data["text"] == done.text

    async def test_transcription_without_file_is_rejected(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        request = _request(Route.AUDIO_TRANSCRIPTIONS, {"file_url": "https://x.test/a.wav"})
        with pytest.raises(FieldNotSupported):
            await _provider(fake, session, info).send(request)


class TestRoutes:
    @pytest.mark.parametrize(
        "route",
        [Route.OCR, Route.CHAT_MODERATIONS, Route.CLASSIFICATIONS, Route.CHAT_CLASSIFICATIONS],
    )
    async def test_unsupported_routes(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo, route: Route
    ) -> None:
        provider = _provider(fake, session, info)
        assert not provider.supports(route)
        with pytest.raises(RouteNotSupported):
            await provider.send(_request(route, {"input": PROMPT}))
        with pytest.raises(RouteNotSupported):
            await _collect(provider, _request(route, {"input": PROMPT}))
        assert sum(fake.requests.values()) == 0

    def test_supported_routes(self, session: Any, info: ProviderInfo) -> None:
        provider = OpenAICompatibleProvider(info, "http://x", None, session, 5)
        supported = {route for route in Route if provider.supports(route)}
        assert supported == {
            Route.CHAT_COMPLETIONS,
            Route.FIM_COMPLETIONS,
            Route.EMBEDDINGS,
            Route.MODERATIONS,
            Route.AUDIO_SPEECH,
            Route.AUDIO_TRANSCRIPTIONS,
        }

    async def test_no_key_sends_no_authorization(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        provider = _provider(fake, session, info, api_key=None)
        await provider.send(_request(Route.EMBEDDINGS, {"input": "x"}))
        assert fake.last_authorization is None


class TestErrors:
    @pytest.mark.parametrize(
        ("model", "error"),
        [
            ("fail-500-echo", UpstreamFailed),
            ("fail-400-echo", UpstreamRejected),
            ("fail-429", UpstreamRateLimited),
            ("bad-json", UpstreamFailed),
        ],
    )
    @pytest.mark.parametrize("route", [Route.CHAT_COMPLETIONS, Route.AUDIO_TRANSCRIPTIONS])
    @pytest.mark.parametrize("is_stream", [False, True])
    async def test_failures_carry_no_body(
        self,
        fake: FakeUpstream,
        session: aiohttp.ClientSession,
        info: ProviderInfo,
        model: str,
        error: type[UpstreamError],
        route: Route,
        is_stream: bool,
    ) -> None:
        provider = _provider(fake, session, info)
        request = _request(route, CHAT, model, file=AUDIO)
        with pytest.raises(error) as caught:
            if is_stream:
                await _collect(provider, request)
            else:
                await provider.send(request)
        assert CANARY not in f"{caught.value} {caught.value!r} {caught.value.args}"
        assert caught.value.__cause__ is None

    async def test_hang_times_out(
        self, fake: FakeUpstream, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        provider = _provider(fake, session, info, timeout=0.2)
        with pytest.raises(UpstreamTimeout):
            await provider.send(_request(Route.CHAT_COMPLETIONS, CHAT, "hang"))
        with pytest.raises(UpstreamTimeout):
            await _collect(provider, _request(Route.CHAT_COMPLETIONS, CHAT, "hang"))

    async def test_connection_refused_is_unavailable(
        self, session: aiohttp.ClientSession, info: ProviderInfo
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        provider = OpenAICompatibleProvider(info, f"http://127.0.0.1:{port}", None, session, 5)
        with pytest.raises(UpstreamUnavailable):
            await provider.send(_request(Route.EMBEDDINGS, {"input": "x"}))
        with pytest.raises(UpstreamUnavailable):
            await _collect(provider, _request(Route.CHAT_COMPLETIONS, CHAT))
