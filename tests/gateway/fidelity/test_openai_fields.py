"""Defect 3: a field an OpenAI-compatible upstream cannot honour is mapped or refused, never
dropped silently."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from mistralai.client import Mistral, errors

from tests.fakes.scripted import Reply, ScriptedUpstream

CHAT = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "hello"}]
ANSWER = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1_700_000_000,
    "model": "up-model",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


@pytest.fixture()
def openai(upstreams: tuple[ScriptedUpstream, ScriptedUpstream]) -> ScriptedUpstream:
    upstream = upstreams[1]
    upstream.reply(CHAT, Reply.json(ANSWER))
    return upstream


class TestRefused:
    @pytest.mark.parametrize(
        ("field", "options"),
        [
            ("safe_prompt", {"safe_prompt": True}),
            ("prompt_mode", {"prompt_mode": "reasoning"}),
            (
                "guardrails",
                {"guardrails": [{"block_on_error": True, "moderation_llm_v1": {}}]},
            ),
            ("tools", {"tools": [{"type": "image_generation"}]}),
        ],
    )
    def test_unmappable_field_is_a_400_naming_field_and_provider(
        self, client: Mistral, openai: ScriptedUpstream, field: str, options: dict[str, Any]
    ) -> None:
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="m-openai", messages=MESSAGES, **options)
        assert caught.value.status_code == 400
        body = orjson.loads(caught.value.body)
        assert body["code"] == "unsupported_field"
        assert body["param"] == field
        assert f"'{field}'" in body["message"] and "up-openai" in body["message"]
        assert openai.received(CHAT) == []

    def test_document_chunk_is_refused(self, client: Mistral, openai: ScriptedUpstream) -> None:
        content = [
            {"type": "text", "text": "summarise"},
            {"type": "document_url", "document_url": "https://docs.example/a.pdf"},
        ]
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="m-openai", messages=[{"role": "user", "content": content}])
        assert caught.value.status_code == 400
        assert openai.received(CHAT) == []


class TestMapped:
    def test_mappable_fields_reach_the_upstream(
        self, client: Mistral, openai: ScriptedUpstream
    ) -> None:
        client.chat.complete(
            model="m-openai",
            messages=MESSAGES,
            random_seed=7,
            prediction={"type": "content", "content": "hi"},
            min_tokens=2,
            prompt_cache_key="k1",
            safe_prompt=False,
            metadata={"team": "a"},
        )
        sent = openai.bodies(CHAT)[-1]
        assert sent["seed"] == 7
        assert sent["prediction"] == {"type": "content", "content": "hi"}
        assert sent["min_tokens"] == 2
        assert sent["prompt_cache_key"] == "k1"
        assert "safe_prompt" not in sent and "metadata" not in sent
