"""`validation_details` renders request errors without echoing anything the client sent."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from zerokeep.gateway.schemas import (
    EXTRA_FIELD,
    REQUEST_MODELS,
    ChatCompletionRequest,
    OCRRequest,
    SpeechRequest,
    TranscriptionForm,
    validation_details,
)
from zerokeep.gateway.schemas.errors import known_names
from zerokeep.retention.catalogue import Route

CANARY = "zk-canary-7f3a9c"
USER = {"role": "user", "content": "Hi"}


def details(model: type[BaseModel], body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return validation_details(caught.value)


# Each body holds the canary where pydantic would otherwise echo it: as a value of the wrong type,
# as an extra key (name and value), as a bad enum value, as an invalid discriminator tag, in a
# dict key, next to a missing field.
CANARY_BODIES: list[tuple[str, type[BaseModel], dict[str, Any]]] = [
    (
        "wrong type",
        ChatCompletionRequest,
        {"model": "m", "messages": [USER], "temperature": CANARY},
    ),
    ("extra field name", ChatCompletionRequest, {"model": "m", "messages": [USER], CANARY: 1}),
    ("extra field value", ChatCompletionRequest, {"model": "m", "messages": [USER], "x": CANARY}),
    ("missing field", ChatCompletionRequest, {"messages": [{"role": "user", "content": CANARY}]}),
    (
        "enum value",
        ChatCompletionRequest,
        {"model": "m", "messages": [USER], "reasoning_effort": CANARY},
    ),
    (
        "literal tool choice",
        ChatCompletionRequest,
        {"model": "m", "messages": [USER], "tool_choice": CANARY},
    ),
    (
        "role tag",
        ChatCompletionRequest,
        {"model": "m", "messages": [{"role": CANARY, "content": "x"}]},
    ),
    (
        "chunk tag",
        ChatCompletionRequest,
        {"model": "m", "messages": [{"role": "user", "content": [{"type": CANARY, "text": "x"}]}]},
    ),
    (
        "nested extra name",
        ChatCompletionRequest,
        {"model": "m", "messages": [{"role": "user", "content": "x", CANARY: CANARY}]},
    ),
    ("document tag", OCRRequest, {"model": None, "document": {"type": CANARY}}),
    ("uuid", OCRRequest, {"model": None, "document": {"type": "file", "file_id": CANARY}}),
    ("dict key", SpeechRequest, {"input": "x", "phoneme_hints": {CANARY: [1]}}),
    ("speech enum", SpeechRequest, {"input": "x", "response_format": CANARY}),
    ("form pattern", TranscriptionForm, {"model": "m", "language": CANARY}),
    ("form json", TranscriptionForm, {"model": "m", "speaker_references": CANARY + "{"}),
    ("form enum", TranscriptionForm, {"model": "m", "timestamp_granularities": [CANARY]}),
]


class TestValidationDetails:
    @pytest.mark.parametrize(
        ("case", "model", "body"), CANARY_BODIES, ids=[c[0] for c in CANARY_BODIES]
    )
    def test_never_echoes_the_canary(
        self, case: str, model: type[BaseModel], body: dict[str, Any]
    ) -> None:
        rendered = details(model, body)
        assert rendered, case
        assert CANARY not in orjson.dumps(rendered).decode()
        assert all(set(item) == {"type", "loc", "msg"} for item in rendered)

    def test_pydantic_own_rendering_would_echo_it(self) -> None:
        # The reason validation_details exists: the documented render leaks loc and tag.
        for body in (
            {"model": "m", "messages": [USER], CANARY: 1},
            {"model": "m", "messages": [{"role": CANARY, "content": "x"}]},
        ):
            with pytest.raises(ValidationError) as caught:
                ChatCompletionRequest.model_validate(body)
            plain = caught.value.errors(
                include_input=False, include_url=False, include_context=False
            )
            assert CANARY in str(plain)

    def test_extra_field_name_is_replaced(self) -> None:
        rendered = details(ChatCompletionRequest, {"model": "m", "messages": [USER], CANARY: 1})
        assert rendered == [
            {
                "type": "extra_forbidden",
                "loc": [EXTRA_FIELD],
                "msg": "Extra inputs are not permitted",
            }
        ]

    def test_extra_field_that_is_an_api_word_is_named(self) -> None:
        rendered = details(ChatCompletionRequest, {"model": "m", "messages": [USER], "suffix": ""})
        assert rendered[0]["loc"] == ["suffix"]

    def test_extra_openai_field_is_named(self) -> None:
        rendered = details(ChatCompletionRequest, {"model": "m", "messages": [USER], "store": 1})
        assert rendered[0]["loc"] == ["store"]

    def test_extra_identifier_of_client_text_is_replaced(self) -> None:
        body = {"model": "m", "messages": [USER], "CANARY0123ABCD": 1}
        assert details(ChatCompletionRequest, body)[0]["loc"] == [EXTRA_FIELD]

    def test_nested_locations_keep_schema_words_and_indices(self) -> None:
        body = {
            "model": "m",
            "messages": [USER, {"role": "user", "content": [{"type": "text", "text": 5}]}],
        }
        rendered = details(ChatCompletionRequest, body)
        assert rendered == [
            {
                "type": "string_type",
                "loc": ["messages", 1, "user", "content", "array", 0, "text", "text"],
                "msg": "Input should be a valid string",
            }
        ]

    def test_invalid_role_names_the_expected_tags(self) -> None:
        rendered = details(ChatCompletionRequest, {"model": "m", "messages": [{"role": CANARY}]})
        assert rendered[0]["type"] == "union_tag_invalid"
        assert rendered[0]["loc"] == ["messages", 0]
        assert "'system', 'user', 'assistant', 'tool'" in rendered[0]["msg"]

    def test_missing_required_fields(self) -> None:
        rendered = details(ChatCompletionRequest, {})
        assert [(d["type"], d["loc"]) for d in rendered] == [
            ("missing", ["model"]),
            ("missing", ["messages"]),
        ]

    def test_dict_key_from_input_is_replaced(self) -> None:
        rendered = details(SpeechRequest, {"input": "x", "phoneme_hints": {CANARY: [1]}})
        assert rendered[0]["loc"] == ["phoneme_hints", EXTRA_FIELD, 0]


class TestKnownNames:
    def test_covers_every_request_field_and_alias(self) -> None:
        names = known_names()
        for model in [*REQUEST_MODELS.values(), TranscriptionForm]:
            for name, field in model.model_fields.items():
                assert name in names
                assert field.alias is None or field.alias in names
        assert {"schema", "conversation", "batch", "array", "user", "text"} <= names

    def test_every_json_route_has_a_model(self) -> None:
        assert set(REQUEST_MODELS) == set(Route) - {Route.AUDIO_TRANSCRIPTIONS}
