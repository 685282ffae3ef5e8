"""Defects 5 and 6 through the official openai SDK: the OpenAI-dialect fields it sends are
accepted and mapped to their Mistral names; unknown fields get the API's 422 `loc` shape."""

from __future__ import annotations

from typing import Any

import openai as openai_sdk
import orjson
import pytest
from mistralai.client import Mistral, errors
from openai import OpenAI

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.harness import LiveServer

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
MESSAGES: list[Any] = [{"role": "user", "content": "hello"}]
USAGE = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1_700_000_000,
    "model": "x",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
    "usage": USAGE,
}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "x",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


@pytest.fixture()
def oa(gateway: LiveServer, api_key: str) -> OpenAI:
    return OpenAI(base_url=gateway.base_url + "/v1", api_key=api_key, max_retries=0)


class TestOpenAIFields:
    def test_seed_max_completion_tokens_and_user_are_mapped(
        self, oa: OpenAI, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json(COMPLETION))
        oa.chat.completions.create(
            model="m-mistral", messages=MESSAGES, seed=11, max_completion_tokens=20, user="u-1"
        )
        sent = mistral.bodies(CHAT)[-1]
        assert sent["random_seed"] == 11 and sent["max_tokens"] == 20
        assert not {"seed", "max_completion_tokens", "user"} & set(sent)

    def test_dimensions_is_output_dimension(
        self, oa: OpenAI, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(
            EMBEDDINGS,
            Reply.json(
                {
                    "id": "e",
                    "object": "list",
                    "model": "x",
                    "usage": USAGE,
                    "data": [{"object": "embedding", "embedding": [0.1, 0.2], "index": 0}],
                }
            ),
        )
        oa.embeddings.create(model="m-mistral", input="hi", dimensions=2)
        assert mistral.bodies(EMBEDDINGS)[-1]["output_dimension"] == 2
        assert "dimensions" not in mistral.bodies(EMBEDDINGS)[-1]

    def test_include_usage_without_upstream_usage_gets_a_counted_usage_chunk(
        self, oa: OpenAI, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        chunks = [chunk({"role": "assistant", "content": ""}), chunk({"content": "hi there"})]
        mistral.reply(CHAT, Reply.sse([*chunks, chunk({}, "stop")]))
        received = list(
            oa.chat.completions.create(
                model="m-mistral",
                messages=MESSAGES,
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        assert "stream_options" not in mistral.bodies(CHAT)[-1]
        final = received[-1]
        assert final.choices == []
        assert final.usage is not None and final.usage.completion_tokens > 0


class TestValidationLocation:
    def test_unknown_field_422_names_it(self, oa: OpenAI) -> None:
        with pytest.raises(openai_sdk.UnprocessableEntityError) as caught:
            oa.chat.completions.create(
                model="m-mistral", messages=MESSAGES, extra_body={"store": True}
            )
        body = caught.value.body
        assert isinstance(body, dict)
        detail = body["message"]["detail"]
        assert detail[0]["loc"] == ["body", "store"]
        assert detail[0]["type"] == "extra_forbidden"

    def test_wrong_type_is_located_under_body(self, client: Mistral) -> None:
        with pytest.raises(errors.HTTPValidationError) as caught:
            client.chat.complete(model="m-mistral", messages=MESSAGES, temperature=9.0)
        detail = orjson.loads(caught.value.body)["message"]["detail"]
        assert detail[0]["loc"] == ["body", "temperature"]
