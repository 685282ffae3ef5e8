"""Fidelity suite, OpenAI-compatible provider: the six routes such a server offers, with the
spec's optional fields, through the mistralai SDK against a recording OpenAI-dialect upstream.
The upstream must receive each field under its OpenAI name (or the request is refused, see
test_openai_fields.py), and the client must get a valid Mistral answer built from the upstream's.
"""

from __future__ import annotations

import io
import wave
from typing import Any

from mistralai.client import Mistral
from mistralai.client.models import File

from tests.fakes.scripted import Reply, ScriptedUpstream

MODEL = "m-openai"
USAGE = {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
    }
]


def _openai(upstreams: tuple[ScriptedUpstream, ScriptedUpstream]) -> ScriptedUpstream:
    return upstreams[1]


def _last(upstream: ScriptedUpstream, path: str) -> dict[str, Any]:
    body = upstream.bodies(path)[-1]
    assert isinstance(body, dict)
    return body


class TestOpenAIRoutes:
    def test_chat(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply(
            "/v1/chat/completions",
            Reply.json(
                {
                    "id": "chatcmpl-9",
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": "up-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": None,
                                "tool_calls": [
                                    {
                                        "id": "call_1",
                                        "type": "function",
                                        "function": {"name": "lookup", "arguments": "{}"},
                                    }
                                ],
                            },
                            "finish_reason": "tool_calls",
                        }
                    ],
                    "usage": USAGE,
                }
            ),
        )
        answer = client.chat.complete(
            model=MODEL,
            messages=[{"role": "user", "content": "hi"}],
            temperature=0.2,
            top_p=0.9,
            max_tokens=20,
            stop=["END"],
            random_seed=4,
            response_format={"type": "json_object"},
            tools=TOOLS,
            tool_choice="any",
            presence_penalty=0.1,
            frequency_penalty=0.1,
            n=1,
            parallel_tool_calls=False,
            reasoning_effort="low",
        )
        sent = _last(upstream, "/v1/chat/completions")
        assert sent["model"] == "up-model"
        assert (sent["temperature"], sent["top_p"], sent["max_tokens"], sent["seed"]) == (
            0.2,
            0.9,
            20,
            4,
        )
        assert sent["tool_choice"] == "required"  # Mistral's "any"
        assert sent["tools"] == TOOLS
        assert sent["response_format"] == {"type": "json_object"}
        assert sent["parallel_tool_calls"] is False and sent["reasoning_effort"] == "low"
        choice = answer.choices[0]
        assert choice.finish_reason == "tool_calls"
        assert choice.message.tool_calls[0].function.name == "lookup"
        assert answer.model == MODEL and answer.usage.total_tokens == 6

    def test_fim(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply(
            "/v1/completions",
            Reply.json(
                {
                    "id": "cmpl-1",
                    "object": "text_completion",
                    "created": 1,
                    "model": "up-model",
                    "choices": [{"text": "x + 1", "index": 0, "finish_reason": "stop"}],
                    "usage": USAGE,
                }
            ),
        )
        answer = client.fim.complete(
            model=MODEL, prompt="def f(x):", suffix="\n", max_tokens=5, random_seed=1
        )
        sent = _last(upstream, "/v1/completions")
        assert (sent["prompt"], sent["suffix"], sent["max_tokens"], sent["seed"]) == (
            "def f(x):",
            "\n",
            5,
            1,
        )
        assert answer.choices[0].message.content == "x + 1"

    def test_embeddings(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply(
            "/v1/embeddings",
            Reply.json(
                {
                    "object": "list",
                    "model": "up-model",
                    "data": [{"object": "embedding", "embedding": [0.5, 0.5], "index": 0}],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                }
            ),
        )
        answer = client.embeddings.create(model=MODEL, inputs=["a"], output_dimension=2)
        sent = _last(upstream, "/v1/embeddings")
        assert (sent["input"], sent["dimensions"]) == (["a"], 2)
        assert answer.data[0].embedding == [0.5, 0.5]

    def test_moderations(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply(
            "/v1/moderations",
            Reply.json(
                {
                    "id": "modr-1",
                    "model": "up-model",
                    "results": [
                        {
                            "flagged": True,
                            "categories": {"violence": True},
                            "category_scores": {"violence": 0.9},
                        }
                    ],
                }
            ),
        )
        answer = client.classifiers.moderate(model=MODEL, inputs=["a"])
        assert _last(upstream, "/v1/moderations")["input"] == ["a"]
        assert answer.results[0].categories["violence_and_threats"] is True

    def test_speech(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply("/v1/audio/speech", Reply(body=b"RIFFfake", content_type="audio/wav"))
        answer = client.audio.speech.complete(
            model=MODEL, input="hello", voice_id="alloy", response_format="wav"
        )
        sent = _last(upstream, "/v1/audio/speech")
        assert (sent["input"], sent["response_format"]) == ("hello", "wav")
        assert answer.audio_data == "UklGRmZha2U="  # base64 of the upstream's bytes

    def test_transcription(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        upstream = _openai(upstreams)
        upstream.reply(
            "/v1/audio/transcriptions",
            Reply.json(
                {
                    "task": "transcribe",
                    "language": "english",
                    "duration": 1.0,
                    "text": "hello",
                    "segments": [{"id": 0, "start": 0.0, "end": 1.0, "text": "hello"}],
                }
            ),
        )
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as sink:
            sink.setnchannels(1)
            sink.setsampwidth(2)
            sink.setframerate(8000)
            sink.writeframes(b"\x00\x01" * 400)
        answer = client.audio.transcriptions.complete(
            model=MODEL,
            file=File(file_name="a.wav", content=buffer.getvalue(), content_type="audio/wav"),
            language="en",
            temperature=0.0,
        )
        sent = _last(upstream, "/v1/audio/transcriptions")
        assert (sent["language"], sent["file"]) == ("en", "<file a.wav>")
        assert answer.text == "hello"
        assert answer.model == MODEL
