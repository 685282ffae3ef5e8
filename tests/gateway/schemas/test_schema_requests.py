"""Request models follow the spec field by field: required, enums, defaults, nullables, closure."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import zerokeep.gateway.schemas as schemas_package
from zerokeep.gateway.schemas import (
    ChatClassificationRequest,
    ChatCompletionRequest,
    ChatModerationRequest,
    ClassificationRequest,
    EmbeddingRequest,
    FIMCompletionRequest,
    OCRRequest,
    SpeechRequest,
    TranscriptionForm,
)

USER = {"role": "user", "content": "Hi"}
FILE_ID = "5b0e3d1c-4a8f-4c1e-9a3e-7f2d6c1b0a99"


def error_kinds(
    model: type[BaseModel], body: dict[str, Any]
) -> list[tuple[str, tuple[int | str, ...]]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [(e["type"], e["loc"]) for e in caught.value.errors()]


def chat(**fields: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [USER], **fields}


class TestChatCompletionRequest:
    def test_defaults_follow_the_spec(self) -> None:
        request = ChatCompletionRequest.model_validate(chat())
        assert request.stream is False
        assert request.safe_prompt is False
        assert request.parallel_tool_calls is True
        assert request.tool_choice == "auto"
        assert request.temperature is None

    def test_requires_model_and_messages(self) -> None:
        assert error_kinds(ChatCompletionRequest, {}) == [
            ("missing", ("model",)),
            ("missing", ("messages",)),
        ]

    @pytest.mark.parametrize(
        "field", ["max_completion_tokens", "stream_options", "store", "user", "logit_bias"]
    )
    def test_refuses_fields_outside_the_spec(self, field: str) -> None:
        assert error_kinds(ChatCompletionRequest, chat(**{field: 1})) == [
            ("extra_forbidden", (field,))
        ]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("temperature", 1.6),
            ("temperature", -0.1),
            ("top_p", 0),
            ("top_p", 1.01),
            ("max_tokens", -1),
            ("n", 0),
            ("presence_penalty", 2.5),
            ("frequency_penalty", -3),
            ("random_seed", -1),
        ],
    )
    def test_enforces_numeric_bounds(self, field: str, value: float) -> None:
        (kind,) = error_kinds(ChatCompletionRequest, chat(**{field: value}))
        assert kind[1] == (field,)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("reasoning_effort", "extreme"),
            ("prompt_mode", "chat"),
            ("service_tier", "priority"),
            ("response_format", {"type": "xml"}),
        ],
    )
    def test_enforces_enums(self, field: str, value: Any) -> None:
        assert error_kinds(ChatCompletionRequest, chat(**{field: value}))[0][0] == "literal_error"

    def test_nullable_fields_accept_null(self) -> None:
        nullable = [
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "random_seed",
            "metadata",
            "tools",
            "presence_penalty",
            "frequency_penalty",
            "n",
            "reasoning_effort",
            "prompt_mode",
            "guardrails",
            "prompt_cache_key",
            "service_tier",
            "min_tokens",
            "top_k",
        ]
        request = ChatCompletionRequest.model_validate(chat(**dict.fromkeys(nullable)))
        assert request.model_fields_set >= set(nullable)

    def test_stop_is_a_string_or_a_list_of_strings(self) -> None:
        assert ChatCompletionRequest.model_validate(chat(stop="\n")).stop == "\n"
        assert ChatCompletionRequest.model_validate(chat(stop=["a", "b"])).stop == ["a", "b"]
        assert error_kinds(ChatCompletionRequest, chat(stop=5)) == [
            ("union_type_mismatch", ("stop",))
        ]

    def test_tool_choice_is_an_enum_or_a_function(self) -> None:
        forced = chat(tool_choice={"type": "function", "function": {"name": "f"}})
        assert ChatCompletionRequest.model_validate(forced).model_dump(exclude_unset=True) == forced
        assert (
            ChatCompletionRequest.model_validate(chat(tool_choice="required")).tool_choice
            == "required"
        )

    def test_tools_are_discriminated_on_type(self) -> None:
        assert error_kinds(
            ChatCompletionRequest, chat(tools=[{"type": "document_library", "library_ids": []}])
        ) == [("too_short", ("tools", 0, "document_library", "library_ids"))]

    def test_json_schema_keeps_its_wire_name(self) -> None:
        body = chat(
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "n", "schema": {"type": "object"}},
            }
        )
        request = ChatCompletionRequest.model_validate(body)
        assert request.model_dump(by_alias=True, exclude_unset=True) == body
        renamed = chat(
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "n", "schema_definition": {}},
            }
        )
        assert (
            "extra_forbidden",
            ("response_format", "json_schema", "schema_definition"),
        ) in error_kinds(ChatCompletionRequest, renamed)

    def test_guardrails_are_open_objects(self) -> None:
        body = chat(guardrails=[{"moderation_llm_v1": {"action": "block", "future_knob": 1}}])
        request = ChatCompletionRequest.model_validate(body)
        assert request.model_dump(exclude_unset=True) == body

    def test_prediction_is_closed(self) -> None:
        assert error_kinds(ChatCompletionRequest, chat(prediction={"type": "content", "x": 1})) == [
            ("extra_forbidden", ("prediction", "x"))
        ]


class TestMessages:
    def test_role_is_required_to_pick_the_message(self) -> None:
        assert error_kinds(ChatCompletionRequest, chat(messages=[{"content": "x"}])) == [
            ("union_tag_not_found", ("messages", 0))
        ]

    def test_user_content_is_required_but_nullable(self) -> None:
        assert error_kinds(ChatCompletionRequest, chat(messages=[{"role": "user"}])) == [
            ("missing", ("messages", 0, "user", "content"))
        ]
        ChatCompletionRequest.model_validate(chat(messages=[{"role": "user", "content": None}]))

    def test_system_content_takes_only_text_and_thinking_chunks(self) -> None:
        image = {"type": "image_url", "image_url": "https://x/a.png"}
        errors = error_kinds(
            ChatCompletionRequest, chat(messages=[{"role": "system", "content": [image]}])
        )
        assert errors == [("union_tag_invalid", ("messages", 0, "system", "content", "array", 0))]

    def test_assistant_message_is_closed_and_content_optional(self) -> None:
        ChatCompletionRequest.model_validate(
            chat(messages=[USER, {"role": "assistant", "prefix": True}])
        )
        assert error_kinds(
            ChatCompletionRequest, chat(messages=[{"role": "assistant", "name": "x"}])
        ) == [("extra_forbidden", ("messages", 0, "assistant", "name"))]

    def test_tool_call_arguments_are_an_object_or_a_string(self) -> None:
        call = {"function": {"name": "f", "arguments": {"a": 1}}}
        request = ChatCompletionRequest.model_validate(
            chat(messages=[{"role": "assistant", "tool_calls": [call]}])
        )
        assert request.messages[0].tool_calls[0].id == "null"  # type: ignore[union-attr]

    @pytest.mark.parametrize(
        "chunk",
        [
            {"type": "text", "text": "t"},
            {"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "low"}},
            {"type": "document_url", "document_url": "https://x/a.pdf", "document_name": None},
            {"type": "reference", "reference_ids": [1, "a"]},
            {"type": "file", "file_id": FILE_ID},
            {"type": "input_audio", "input_audio": "UklGRg=="},
            {
                "type": "thinking",
                "thinking": [{"type": "text", "text": "t"}, {"tool": "web_search", "title": "t"}],
            },
            {"type": "resource", "uri": "u", "content": {"type": "text", "text": "t"}},
            {"type": "resource_link", "uri": "u", "metadata": {"k": 1}},
        ],
    )
    def test_every_chunk_kind_round_trips(self, chunk: dict[str, Any]) -> None:
        body = chat(messages=[{"role": "user", "content": [chunk]}])
        assert ChatCompletionRequest.model_validate(body).model_dump(exclude_unset=True) == body

    def test_file_id_must_be_a_uuid(self) -> None:
        body = chat(messages=[{"role": "user", "content": [{"type": "file", "file_id": "nope"}]}])
        assert error_kinds(ChatCompletionRequest, body)[0][0] == "string_pattern_mismatch"

    def test_image_detail_is_an_enum(self) -> None:
        chunk = {"type": "image_url", "image_url": {"url": "u", "detail": "max"}}
        assert error_kinds(
            ChatCompletionRequest, chat(messages=[{"role": "user", "content": [chunk]}])
        )[0][0] == ("literal_error")


class TestFIMCompletionRequest:
    def test_requires_model_and_prompt(self) -> None:
        assert error_kinds(FIMCompletionRequest, {}) == [
            ("missing", ("model",)),
            ("missing", ("prompt",)),
        ]

    def test_suffix_defaults_to_empty_and_stream_to_false(self) -> None:
        request = FIMCompletionRequest.model_validate(
            {"model": "codestral-latest", "prompt": "def"}
        )
        assert (request.suffix, request.stream) == ("", False)

    def test_is_closed(self) -> None:
        assert error_kinds(FIMCompletionRequest, {"model": "c", "prompt": "p", "messages": []}) == [
            ("extra_forbidden", ("messages",))
        ]


class TestEmbeddingRequest:
    def test_defaults(self) -> None:
        request = EmbeddingRequest.model_validate({"model": "mistral-embed", "input": "a"})
        assert (request.output_dtype, request.encoding_format) == ("float", "float")

    def test_enums_and_bounds(self) -> None:
        body = {
            "model": "e",
            "input": ["a"],
            "output_dtype": "int4",
            "encoding_format": "hex",
            "output_dimension": 0,
        }
        assert [kind for kind, _ in error_kinds(EmbeddingRequest, body)] == [
            "greater_than",
            "literal_error",
            "literal_error",
        ]

    def test_refuses_the_sdk_parameter_name(self) -> None:
        assert error_kinds(EmbeddingRequest, {"model": "e", "inputs": ["a"]}) == [
            ("missing", ("input",)),
            ("extra_forbidden", ("inputs",)),
        ]


class TestClassificationRequests:
    def test_text_input_is_a_string_or_list(self) -> None:
        ClassificationRequest.model_validate({"model": "m", "input": ["a", "b"], "metadata": None})
        assert error_kinds(ClassificationRequest, {"model": "m", "input": [1]}) == [
            ("string_type", ("input", "array", 0))
        ]

    def test_chat_moderation_takes_one_conversation_or_a_batch(self) -> None:
        one = ChatModerationRequest.model_validate({"model": "m", "input": [USER]})
        batch = ChatModerationRequest.model_validate(
            {"model": "m", "input": [[USER], [USER, USER]]}
        )
        assert len(one.input) == 1
        assert len(batch.input) == 2
        assert error_kinds(ChatModerationRequest, {"model": "m", "input": "text"}) == [
            ("union_type_mismatch", ("input",))
        ]

    def test_chat_classification_takes_an_instruct_request_or_a_list(self) -> None:
        ChatClassificationRequest.model_validate({"model": "m", "input": {"messages": [USER]}})
        ChatClassificationRequest.model_validate({"model": "m", "input": [{"messages": [USER]}]})
        assert error_kinds(
            ChatClassificationRequest, {"model": "m", "input": {"messages": [], "x": 1}}
        ) == [("extra_forbidden", ("input", "object", "x"))]


class TestOCRRequest:
    def test_model_is_required_but_nullable(self) -> None:
        document = {"type": "document_url", "document_url": "https://x/a.pdf"}
        assert error_kinds(OCRRequest, {"document": document}) == [("missing", ("model",))]
        assert (
            OCRRequest.model_validate({"model": None, "document": document}).include_blocks is True
        )

    def test_document_type_may_be_omitted(self) -> None:
        request = OCRRequest.model_validate(
            {"model": None, "document": {"image_url": "https://x/a.png"}}
        )
        assert request.document.type == "image_url"
        assert request.model_dump(exclude_unset=True) == {
            "model": None,
            "document": {"image_url": "https://x/a.png"},
        }

    def test_document_errors_name_one_branch(self) -> None:
        assert error_kinds(
            OCRRequest, {"model": None, "document": {"type": "file", "file_id": 3}}
        ) == [("string_type", ("document", "file", "file_id"))]

    def test_enums(self) -> None:
        body = {
            "model": "o",
            "document": {"file_id": FILE_ID},
            "table_format": "csv",
            "confidence_scores_granularity": "char",
        }
        assert [kind for kind, _ in error_kinds(OCRRequest, body)] == [
            "literal_error",
            "literal_error",
        ]


class TestSpeechRequest:
    def test_only_input_is_required_and_extras_are_kept(self) -> None:
        request = SpeechRequest.model_validate({"input": "Bonjour", "speed": 1.2})
        assert (request.response_format, request.stream) == ("mp3", False)
        assert request.model_extra == {"speed": 1.2}

    def test_conversation_history_is_discriminated_on_role(self) -> None:
        body = {
            "input": "x",
            "conversation_history": [{"role": "assistant", "audio": {"data": "a"}}],
        }
        assert error_kinds(SpeechRequest, body) == [
            ("missing", ("conversation_history", 0, "assistant", "text"))
        ]


class TestTranscriptionForm:
    def test_parses_form_strings(self) -> None:
        form = TranscriptionForm.model_validate(
            {
                "model": "v",
                "stream": "true",
                "diarize": "false",
                "temperature": "0.5",
                "context_bias": "Zerokeep",
            }
        )
        assert (form.stream, form.diarize, form.temperature, form.context_bias) == (
            True,
            False,
            0.5,
            ["Zerokeep"],
        )

    def test_constraints(self) -> None:
        body = {
            "model": "v",
            "language": "fra",
            "context_bias": ["two words"],
            "file_url": "",
            "timestamp_granularities": ["char"],
        }
        assert [loc for _, loc in error_kinds(TranscriptionForm, body)] == [
            ("file_url",),
            ("language",),
            ("context_bias", 0),
            ("timestamp_granularities", 0),
        ]


class TestDocstrings:
    def test_examples_run(self) -> None:
        for info in pkgutil.iter_modules(schemas_package.__path__):
            module = importlib.import_module(f"{schemas_package.__name__}.{info.name}")
            assert doctest.testmod(module).failed == 0, info.name
        assert doctest.testmod(schemas_package).failed == 0
