"""The bodies the official SDKs really send validate against the request models.

Each test points an SDK at a capture server on 127.0.0.1, makes one call, and validates the
captured body. A body that validates and dumps back to itself (`exclude_unset`, `by_alias`)
also proves the field names match the wire.
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from capture_server import CaptureServer, capture_server
from mistralai.client import Mistral
from pydantic import BaseModel, ValidationError

from zerokeep.gateway.schemas import (
    REQUEST_MODELS,
    ChatCompletionRequest,
    TranscriptionForm,
)
from zerokeep.retention.catalogue import Route

FILE_ID = "5b0e3d1c-4a8f-4c1e-9a3e-7f2d6c1b0a99"
MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "Be brief."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Describe"},
            {"type": "image_url", "image_url": "https://example.com/a.png"},
        ],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    },
    {"role": "tool", "content": "42", "tool_call_id": "call_1", "name": "f"},
]


@pytest.fixture(scope="module")
def server() -> Iterator[CaptureServer]:
    with capture_server() as running:
        yield running


@pytest.fixture(scope="module")
def mistral(server: CaptureServer) -> Mistral:
    return Mistral(api_key="x", server_url=server.url)


def assert_round_trip(route: Route, server: CaptureServer) -> BaseModel:
    captured = server.last()
    assert captured.path == route.value
    body = captured.json()
    model = REQUEST_MODELS[route].model_validate(body)
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == body
    return model


class TestMistralChat:
    def test_complete_minimal(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.chat.complete(
            model="mistral-small-latest", messages=[{"role": "user", "content": "Hi"}]
        )
        model = assert_round_trip(Route.CHAT_COMPLETIONS, server)
        assert isinstance(model, ChatCompletionRequest)
        assert model.stream is False

    def test_complete_every_parameter(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.chat.complete(
            model="mistral-small-latest",
            messages=MESSAGES,
            temperature=0.3,
            top_p=0.9,
            max_tokens=64,
            stop=["\n\n"],
            random_seed=7,
            metadata={"team": "a"},
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "out",
                    "schema": {"type": "object"},
                    "strict": True,
                    "description": "d",
                },
            },
            tools=[
                {
                    "type": "function",
                    "function": {"name": "f", "description": "d", "parameters": {"type": "object"}},
                },
                {"type": "document_library", "library_ids": ["lib"]},
                {"type": "image_generation"},
                {
                    "type": "connector",
                    "connector_id": "c",
                    "authorization": {"type": "api-key", "value": "v"},
                },
            ],
            tool_choice={"type": "function", "function": {"name": "f"}},
            presence_penalty=0.1,
            frequency_penalty=0.2,
            n=1,
            prediction={"type": "content", "content": "guess"},
            parallel_tool_calls=False,
            reasoning_effort="low",
            prompt_mode="reasoning",
            guardrails=[{"block_on_error": True, "moderation_llm_v2": {"action": "block"}}],
            prompt_cache_key="k",
            service_tier="auto",
            safe_prompt=True,
            min_tokens=1,
            repetition_penalty=1.1,
            top_k=40,
            logprobs=True,
            top_logprobs=2,
            prompt_logprobs=False,
            top_prompt_logprobs=0,
        )
        body = server.last().json()
        assert {"min_tokens", "repetition_penalty", "top_k", "top_logprobs"} <= body.keys()
        assert_round_trip(Route.CHAT_COMPLETIONS, server)

    def test_stream(self, mistral: Mistral, server: CaptureServer) -> None:
        events = list(
            mistral.chat.stream(
                model="mistral-small-latest", messages=[{"role": "user", "content": "Hi"}]
            )
        )
        assert len(events) == 2
        assert "text/event-stream" in server.last().accept
        model = assert_round_trip(Route.CHAT_COMPLETIONS, server)
        assert isinstance(model, ChatCompletionRequest)
        assert model.stream is True


class TestMistralFim:
    def test_complete(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.fim.complete(
            model="codestral-latest", prompt="def f(", suffix="return 1", min_tokens=1, stop="\n"
        )
        assert_round_trip(Route.FIM_COMPLETIONS, server)

    def test_stream(self, mistral: Mistral, server: CaptureServer) -> None:
        list(mistral.fim.stream(model="codestral-latest", prompt="def f("))
        assert server.last().json()["stream"] is True
        assert_round_trip(Route.FIM_COMPLETIONS, server)


class TestMistralEmbeddings:
    def test_create(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.embeddings.create(
            model="mistral-embed",
            inputs=["a", "b"],
            output_dimension=256,
            output_dtype="int8",
            encoding_format="float",
        )
        assert server.last().json()["input"] == ["a", "b"]
        assert_round_trip(Route.EMBEDDINGS, server)


class TestMistralClassifiers:
    def test_moderate(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.classifiers.moderate(model="mistral-moderation-latest", inputs="text")
        assert_round_trip(Route.MODERATIONS, server)

    def test_moderate_chat_one_conversation(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.classifiers.moderate_chat(model="mistral-moderation-latest", inputs=MESSAGES[:2])
        assert_round_trip(Route.CHAT_MODERATIONS, server)

    def test_moderate_chat_batch(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.classifiers.moderate_chat(
            model="mistral-moderation-latest", inputs=[MESSAGES[:2], MESSAGES[:1]]
        )
        assert_round_trip(Route.CHAT_MODERATIONS, server)

    def test_classify(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.classifiers.classify(model="ft:classifier", inputs=["a", "b"])
        assert_round_trip(Route.CLASSIFICATIONS, server)

    def test_classify_chat(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.classifiers.classify_chat(model="ft:classifier", input=[{"messages": MESSAGES[:2]}])
        assert_round_trip(Route.CHAT_CLASSIFICATIONS, server)


class TestMistralOcr:
    def test_process_document_url(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.ocr.process(
            model="mistral-ocr-latest",
            document={"type": "document_url", "document_url": "https://example.com/a.pdf"},
            pages=[0, 1],
            table_format="html",
            confidence_scores_granularity="page",
            document_annotation_format={"type": "json_object"},
        )
        assert server.last().json()["include_blocks"] is True
        assert_round_trip(Route.OCR, server)

    def test_process_file(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.ocr.process(model=None, document={"type": "file", "file_id": FILE_ID})
        assert_round_trip(Route.OCR, server)


class TestMistralSpeech:
    def test_complete_with_sdk_only_fields(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.audio.speech.complete(
            input="Bonjour",
            model="voxtral-tts",
            voice_id="v1",
            response_format="wav",
            expressiveness=0.5,
            phoneme_hints={"Bonjour": ["b", "ɔ̃"]},
            conversation_history=[
                {"role": "user", "audio": {"data": "UklGRg=="}},
                {"role": "assistant", "text": "Hi", "audio": {"data": "UklGRg=="}},
            ],
            additional_properties={"speed": 1.2},
        )
        body = server.last().json()
        assert body["speed"] == 1.2
        assert_round_trip(Route.AUDIO_SPEECH, server)

    def test_stream(self, mistral: Mistral, server: CaptureServer) -> None:
        events = list(mistral.audio.speech.complete(input="Bonjour", stream=True))
        assert len(events) == 2
        assert server.last().json()["stream"] is True
        assert_round_trip(Route.AUDIO_SPEECH, server)


def form_fields(content_type: str, body: bytes) -> dict[str, Any]:
    """Parse a multipart/form-data body into {name: str | list[str]} (file parts skipped)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"content-type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            continue
        value = part.get_payload(decode=True).decode()
        if name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields


class TestMistralTranscription:
    def test_complete_form_fields(self, mistral: Mistral, server: CaptureServer) -> None:
        mistral.audio.transcriptions.complete(
            model="voxtral-mini-latest",
            file={"file_name": "a.wav", "content": b"RIFF...."},
            language="fr",
            temperature=0.2,
            context_bias=["Zerokeep", "Mistral"],
            speaker_references={"alice": "https://example.com/alice.wav"},
            timestamp_granularities=["segment"],
        )
        captured = server.last()
        assert captured.content_type.startswith("multipart/form-data")
        fields = form_fields(captured.content_type, captured.body)
        form = TranscriptionForm.model_validate(fields)
        assert form.stream is False
        assert form.diarize is False
        assert form.language == "fr"
        assert form.temperature == 0.2
        assert form.context_bias == ["Zerokeep", "Mistral"]
        assert form.speaker_references == {"alice": "https://example.com/alice.wav"}
        assert form.model_extra == {}


class TestOpenAISdk:
    @pytest.fixture
    def client(self, server: CaptureServer) -> openai.OpenAI:
        return openai.OpenAI(api_key="x", base_url=server.url + "/v1", max_retries=0)

    def test_chat_completions_create(self, client: openai.OpenAI, server: CaptureServer) -> None:
        client.chat.completions.create(
            model="mistral-small-latest",
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
            ],
            temperature=0.2,
            max_tokens=10,
            tools=[
                {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
            ],
            tool_choice="auto",
        )
        assert_round_trip(Route.CHAT_COMPLETIONS, server)

    def test_chat_completions_stream(self, client: openai.OpenAI, server: CaptureServer) -> None:
        list(
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "Hi"}], stream=True
            )
        )
        body = server.last().json()
        assert body == {
            "model": "m",
            "messages": [{"role": "user", "content": "Hi"}],
            "stream": True,
        }
        assert_round_trip(Route.CHAT_COMPLETIONS, server)

    def test_embeddings_create_sends_base64_by_default(
        self, client: openai.OpenAI, server: CaptureServer
    ) -> None:
        client.embeddings.create(model="mistral-embed", input=["a", "b"])
        assert server.last().json()["encoding_format"] == "base64"
        assert_round_trip(Route.EMBEDDINGS, server)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("max_completion_tokens", 10),
            ("stream_options", {"include_usage": True}),
            ("user", "u1"),
            ("seed", 1),
            ("store", False),
        ],
    )
    def test_openai_only_chat_fields_are_refused(
        self, client: openai.OpenAI, server: CaptureServer, field: str, value: Any
    ) -> None:
        # OpenAI parameters the strict Mistral spec does not have: the real API answers 422
        # extra_forbidden for them, and so does the schema (the gateway renames the ones it
        # can map before validating: gateway/openai_dialect.py).
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "Hi"}], **{field: value}
        )
        body = server.last().json()
        assert body[field] == value
        with pytest.raises(ValidationError) as caught:
            ChatCompletionRequest.model_validate(body)
        assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
            ("extra_forbidden", (field,))
        ]
