"""Chat and embeddings through the official openai SDK against the live gateway.

"test-model" goes to the Mistral-dialect upstream; "retaining-model" to the OpenAI-compatible
one, whose upstream model is "test-model": the response must still name the public model.
"""

from __future__ import annotations

import pytest
from openai import OpenAI

from tests.fakes import FakeUpstream
from tests.harness import LiveServer

MODELS = ["test-model", "retaining-model"]


@pytest.fixture()
def client(live_server: LiveServer) -> OpenAI:
    _, key = live_server.new_organization(zdr=False)
    return OpenAI(base_url=live_server.base_url + "/v1", api_key=key, max_retries=0)


class TestChatCompletions:
    @pytest.mark.parametrize("model", MODELS)
    def test_create(self, client: OpenAI, model: str) -> None:
        response = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "orange kite"}]
        )
        assert response.model == model
        assert response.object == "chat.completion"
        assert "orange kite" in (response.choices[0].message.content or "")
        assert response.choices[0].finish_reason == "stop"
        assert response.usage is not None and response.usage.total_tokens > 0

    @pytest.mark.parametrize("model", MODELS)
    def test_stream(self, client: OpenAI, model: str) -> None:
        chunks = list(
            client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "blue lantern"}], stream=True
            )
        )
        assert len(chunks) >= 3
        assert {chunk.model for chunk in chunks} == {model}
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
        assert "blue lantern" in text

    def test_retaining_model_goes_to_the_openai_upstream(
        self, client: OpenAI, fake_upstream: FakeUpstream
    ) -> None:
        before = fake_upstream.count("/openai/v1/chat/completions")
        client.chat.completions.create(
            model="retaining-model", messages=[{"role": "user", "content": "route check"}]
        )
        assert fake_upstream.count("/openai/v1/chat/completions") == before + 1
        sent = fake_upstream.last_bodies["/openai/v1/chat/completions"]
        assert sent["model"] == "test-model"


class TestEmbeddings:
    @pytest.mark.parametrize("model", MODELS)
    def test_create(self, client: OpenAI, model: str) -> None:
        response = client.embeddings.create(model=model, input=["alpha", "beta"])
        assert response.model == model
        assert [item.index for item in response.data] == [0, 1]
        assert all(item.embedding for item in response.data)
        assert response.usage.prompt_tokens > 0
