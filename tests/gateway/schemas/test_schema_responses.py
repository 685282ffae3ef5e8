"""Response models accept what the SDK accepts and refuse bodies missing a required field.

The canned bodies are the ones the capture server sends, which SDK 3.7.0 parsed without error
in `test_schema_sdk_bodies.py`.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from capture_server import (
    CHUNKS,
    CLASSIFICATION,
    COMPLETION,
    EMBEDDINGS,
    MODERATION,
    OCR,
    SPEECH,
    SPEECH_EVENTS,
    TRANSCRIPTION,
)
from pydantic import BaseModel, ValidationError

from zerokeep.gateway.schemas import (
    ChatCompletionResponse,
    ClassificationResponse,
    CompletionChunk,
    EmbeddingResponse,
    ModerationResponse,
    OCRResponse,
    SpeechAudioDelta,
    SpeechDone,
    SpeechResponse,
    TranscriptionResponse,
)

CASES: list[tuple[type[BaseModel], dict[str, Any], list[str]]] = [
    (ChatCompletionResponse, COMPLETION, ["id", "object", "model", "usage", "created", "choices"]),
    (CompletionChunk, CHUNKS[1], ["id", "model", "choices"]),
    (EmbeddingResponse, EMBEDDINGS, ["id", "object", "model", "usage", "data"]),
    (ModerationResponse, MODERATION, ["id", "model", "results"]),
    (ClassificationResponse, CLASSIFICATION, ["id", "model", "results"]),
    (OCRResponse, OCR, ["pages", "model", "usage_info"]),
    (SpeechResponse, SPEECH, ["audio_data"]),
    (TranscriptionResponse, TRANSCRIPTION, ["model", "text", "language", "usage"]),
]


class TestResponseModels:
    @pytest.mark.parametrize(
        ("model", "body", "required"), CASES, ids=[c[0].__name__ for c in CASES]
    )
    def test_accepts_the_canned_body(
        self, model: type[BaseModel], body: dict[str, Any], required: list[str]
    ) -> None:
        assert model.model_validate(body).model_dump(exclude_unset=True) == body

    @pytest.mark.parametrize(
        ("model", "body", "required"), CASES, ids=[c[0].__name__ for c in CASES]
    )
    def test_each_required_field_is_required(
        self, model: type[BaseModel], body: dict[str, Any], required: list[str]
    ) -> None:
        for field in required:
            partial = {key: value for key, value in body.items() if key != field}
            with pytest.raises(ValidationError) as caught:
                model.model_validate(partial)
            assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("missing", (field,))]

    def test_chat_completion_does_not_require_the_spec_data_field(self) -> None:
        assert "data" not in COMPLETION
        ChatCompletionResponse.model_validate(COMPLETION)

    def test_finish_reason_is_an_enum(self) -> None:
        body = {**COMPLETION, "choices": [{**COMPLETION["choices"][0], "finish_reason": "done"}]}
        with pytest.raises(ValidationError):
            ChatCompletionResponse.model_validate(body)

    def test_stream_chunk_finish_reason_is_required_but_nullable(self) -> None:
        CompletionChunk.model_validate(CHUNKS[0])
        choice = {
            key: value for key, value in CHUNKS[0]["choices"][0].items() if key != "finish_reason"
        }
        with pytest.raises(ValidationError):
            CompletionChunk.model_validate({**CHUNKS[0], "choices": [choice]})

    def test_speech_events(self) -> None:
        delta, done = (
            orjson.loads(block.split(b"data: ", 1)[1])
            for block in SPEECH_EVENTS.split(b"\n\n")
            if block
        )
        assert SpeechAudioDelta.model_validate(delta).audio_data == "UklGRg=="
        assert SpeechDone.model_validate(done).usage.total_tokens == 5

    def test_closed_responses_refuse_extra_keys(self) -> None:
        for model, body in ((SpeechResponse, SPEECH), (TranscriptionResponse, TRANSCRIPTION)):
            with pytest.raises(ValidationError):
                model.model_validate({**body, "extra": 1})

    def test_open_responses_keep_extra_keys(self) -> None:
        body = {**MODERATION, "request_id": "r"}
        assert ModerationResponse.model_validate(body).model_dump(exclude_unset=True) == body
