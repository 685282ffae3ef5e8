"""Defect 9: OpenAI-dialect answers keep what they carry; malformed embeddings are a 502 naming
the provider; a stream without usage is still charged from a count."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from mistralai.client import Mistral, errors
from openai import OpenAI

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.gateway.test_usage import usage_rows
from tests.harness import LiveServer

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
MESSAGES: list[Any] = [{"role": "user", "content": "hello"}]
LOGPROBS = {"content": [{"token": "hi", "logprob": -0.1, "bytes": [104, 105], "top_logprobs": []}]}


@pytest.fixture()
def oa(gateway: LiveServer, api_key: str) -> OpenAI:
    return OpenAI(base_url=gateway.base_url + "/v1", api_key=api_key, max_retries=0)


class TestChatAnswer:
    def test_logprobs_fingerprint_usage_details_and_unknown_keys_are_kept(
        self, oa: OpenAI, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "up-model",
            "system_fingerprint": "fp_123",
            "service_tier": "default",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "hi", "refusal": None},
                    "logprobs": LOGPROBS,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 3,
                "completion_tokens": 1,
                "total_tokens": 4,
                "prompt_tokens_details": {"cached_tokens": 2},
            },
        }
        openai.reply(CHAT, Reply.json(answer))
        response = oa.chat.completions.create(model="m-openai", messages=MESSAGES, logprobs=True)
        assert response.model == "m-openai"
        assert response.system_fingerprint == "fp_123"
        assert response.service_tier == "default"
        logprobs = response.choices[0].logprobs
        assert logprobs is not None and logprobs.content is not None
        assert logprobs.content[0].token == "hi"
        assert response.usage is not None and response.usage.prompt_tokens_details is not None
        assert response.usage.prompt_tokens_details.cached_tokens == 2


class TestEmbeddingsShape:
    def test_per_token_nested_lists_are_a_502_naming_the_provider(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        nested = {
            "object": "list",
            "model": "up-model",
            "data": [{"object": "embedding", "index": 0, "embedding": [[0.1, 0.2], [0.3, 0.4]]}],
            "usage": {"prompt_tokens": 2, "total_tokens": 2},
        }
        openai.reply(EMBEDDINGS, Reply.json(nested))
        with pytest.raises(errors.SDKError) as caught:
            client.embeddings.create(model="m-openai", inputs=["hello"])
        assert caught.value.status_code == 502
        assert "up-openai" in orjson.loads(caught.value.body)["message"]


class TestStreamWithoutUsage:
    def test_tokens_are_counted_and_charged(
        self, gateway: LiveServer, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        organization_id, key = gateway.new_organization()
        client = Mistral(api_key=key, server_url=gateway.base_url)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return {"id": "c", "created": 1, "model": "up-model", "choices": [choice]}

        openai.reply(
            CHAT,
            Reply.sse(
                [
                    chunk({"role": "assistant", "content": ""}),
                    chunk({"content": "one two three four"}),
                    chunk({}, "stop"),
                ]
            ),
        )
        list(client.chat.stream(model="m-openai", messages=MESSAGES))
        rows = usage_rows(gateway, organization_id)
        assert rows[-1]["completion_tokens"] > 0
        assert rows[-1]["total_tokens"] > rows[-1]["completion_tokens"]
