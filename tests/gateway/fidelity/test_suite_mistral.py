"""Fidelity suite, Mistral provider: each of the ten routes with the spec's optional fields,
through the mistralai SDK; the recording upstream must receive them unchanged (only `model`
replaced by the upstream name) and the client must get the upstream's answer (only `model`
replaced by the public name)."""

from __future__ import annotations

import io
import wave
from typing import Any

from mistralai.client import Mistral
from mistralai.client.models import File

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.gateway.schemas.capture_server import JSON_ANSWERS

MODEL = "m-mistral"
MESSAGES: list[Any] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "hi"}]},
]
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "look up",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]
PNG = "data:image/png;base64,iVBORw0KGgo="


def _upstream(upstreams: tuple[ScriptedUpstream, ScriptedUpstream], path: str) -> ScriptedUpstream:
    mistral, _ = upstreams
    mistral.reply(path, Reply.json(JSON_ANSWERS[path]))
    return mistral


def _sent(upstream: ScriptedUpstream, path: str) -> dict[str, Any]:
    body = upstream.bodies(path)[-1]
    assert isinstance(body, dict)
    return body


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(8000)
        sink.writeframes(b"\x00\x01" * 400)
    return buffer.getvalue()


class TestChatAndFim:
    def test_chat_every_optional_field(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/chat/completions"
        upstream = _upstream(upstreams, path)
        options: dict[str, Any] = {
            "temperature": 0.2,
            "top_p": 0.9,
            "max_tokens": 30,
            "stop": ["\n\n"],
            "random_seed": 5,
            "metadata": {"team": "a"},
            "response_format": {"type": "json_object"},
            "tools": TOOLS,
            "tool_choice": "auto",
            "presence_penalty": 0.1,
            "frequency_penalty": 0.2,
            "n": 1,
            "prediction": {"type": "content", "content": "x"},
            "parallel_tool_calls": False,
            "prompt_mode": "reasoning",
            "safe_prompt": True,
            "guardrails": [{"block_on_error": True}],
            "min_tokens": 1,
        }
        answer = client.chat.complete(model=MODEL, messages=MESSAGES, **options)
        sent = _sent(upstream, path)
        assert sent["model"] == MODEL
        for name, value in options.items():
            assert sent[name] == value, name
        assert sent["messages"] == MESSAGES
        assert answer.model == MODEL
        assert answer.id == JSON_ANSWERS[path]["id"]
        assert answer.usage.total_tokens == JSON_ANSWERS[path]["usage"]["total_tokens"]

    def test_fim_every_optional_field(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/fim/completions"
        upstream = _upstream(upstreams, path)
        options: dict[str, Any] = {
            "suffix": "return x",
            "temperature": 0.1,
            "top_p": 0.5,
            "max_tokens": 9,
            "min_tokens": 1,
            "stop": "\n",
            "random_seed": 3,
            "metadata": {"k": "v"},
        }
        answer = client.fim.complete(model=MODEL, prompt="def f(x):", **options)
        sent = _sent(upstream, path)
        for name, value in options.items():
            assert sent[name] == value, name
        assert answer.model == MODEL


class TestEmbeddingsAndClassifiers:
    def test_embeddings(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/embeddings"
        upstream = _upstream(upstreams, path)
        answer = client.embeddings.create(
            model=MODEL,
            inputs=["a", "b"],
            output_dimension=2,
            output_dtype="float",
            encoding_format="float",
            metadata={"k": "v"},
        )
        sent = _sent(upstream, path)
        assert (sent["input"], sent["output_dimension"], sent["metadata"]) == (
            ["a", "b"],
            2,
            {"k": "v"},
        )
        assert [item.embedding for item in answer.data] == [[0.1, 0.2], [0.3, 0.4]]
        assert answer.model == MODEL

    def test_moderations(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/moderations"
        upstream = _upstream(upstreams, path)
        answer = client.classifiers.moderate(model=MODEL, inputs=["a"], metadata={"k": "v"})
        assert _sent(upstream, path)["metadata"] == {"k": "v"}
        assert answer.results[0].category_scores == {"pii": 0.01}
        assert answer.model == MODEL

    def test_chat_moderations(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/chat/moderations"
        upstream = _upstream(upstreams, path)
        conversation: list[Any] = [{"role": "user", "content": "hi"}]
        answer = client.classifiers.moderate_chat(model=MODEL, inputs=conversation)
        assert _sent(upstream, path)["input"] == conversation
        assert answer.model == MODEL

    def test_classifications(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/classifications"
        upstream = _upstream(upstreams, path)
        answer = client.classifiers.classify(model=MODEL, inputs="hello", metadata={"k": "v"})
        assert _sent(upstream, path)["input"] == "hello"
        assert answer.results[0]["intent"].scores == {"greeting": 0.9, "other": 0.1}

    def test_chat_classifications(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/chat/classifications"
        upstream = _upstream(upstreams, path)
        request: Any = {"messages": [{"role": "user", "content": "hi"}]}
        answer = client.classifiers.classify_chat(model=MODEL, input=request)
        assert _sent(upstream, path)["input"] == request
        assert answer.model == MODEL


class TestOcrAndAudio:
    def test_ocr_every_optional_field(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/ocr"
        upstream = _upstream(upstreams, path)
        options: dict[str, Any] = {
            "pages": [0],
            "include_image_base64": True,
            "image_limit": 2,
            "image_min_size": 10,
            "table_format": "html",
            "extract_header": True,
            "extract_footer": True,
        }
        answer = client.ocr.process(
            model=MODEL, document={"type": "image_url", "image_url": PNG}, **options
        )
        sent = _sent(upstream, path)
        for name, value in options.items():
            assert sent[name] == value, name
        assert answer.pages[0].markdown == "# Title"
        assert answer.model == MODEL

    def test_speech(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/audio/speech"
        upstream = _upstream(upstreams, path)
        answer = client.audio.speech.complete(
            model=MODEL, input="hello", response_format="wav", metadata={"k": "v"}
        )
        sent = _sent(upstream, path)
        assert (sent["input"], sent["response_format"], sent["metadata"]) == (
            "hello",
            "wav",
            {"k": "v"},
        )
        assert answer.audio_data == JSON_ANSWERS[path]["audio_data"]

    def test_transcription_form_fields(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        path = "/v1/audio/transcriptions"
        upstream = _upstream(upstreams, path)
        answer = client.audio.transcriptions.complete(
            model=MODEL,
            file=File(file_name="a.wav", content=_wav(), content_type="audio/wav"),
            language="en",
            temperature=0.1,
            timestamp_granularities=["segment"],
        )
        sent = _sent(upstream, path)
        assert (sent["language"], sent["temperature"], sent["file"]) == (
            "en",
            "0.1",
            "<file a.wav>",
        )
        assert answer.text == "Hello."
        assert answer.model == MODEL
