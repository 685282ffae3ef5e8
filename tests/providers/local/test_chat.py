"""Chat and FIM completions by the local SmolLM2 model, checked on real answers."""

from __future__ import annotations

from zerokeep.providers.base import UpstreamRequest
from zerokeep.providers.local import LocalProvider
from zerokeep.retention.catalogue import Route

QUESTION = {
    "messages": [{"role": "user", "content": "What is the capital of France?"}],
    "temperature": 0,
    "max_tokens": 40,
}


class TestChat:
    async def test_answers_a_simple_question(self, provider: LocalProvider) -> None:
        response = await provider.send(UpstreamRequest(Route.CHAT_COMPLETIONS, "local-x", QUESTION))
        (choice,) = response["choices"]
        assert "Paris" in choice["message"]["content"]
        assert choice["message"]["role"] == "assistant"
        assert choice["finish_reason"] in ("stop", "length")
        usage = response["usage"]
        assert usage["prompt_tokens"] > 5
        assert usage["completion_tokens"] > 0
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        assert response["object"] == "chat.completion"
        assert response["model"] == "local-x"

    async def test_stream_chunks_carry_the_answer_and_final_usage(
        self, provider: LocalProvider
    ) -> None:
        request = UpstreamRequest(Route.CHAT_COMPLETIONS, "local-x", {**QUESTION, "stream": True})
        chunks = [event.data async for event in provider.stream(request)]
        assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
        assert len({chunk["id"] for chunk in chunks}) == 1
        assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
        text = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
        assert "Paris" in text
        assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")
        assert chunks[-1]["usage"]["completion_tokens"] > 0
        assert all("usage" not in chunk for chunk in chunks[:-1])

    async def test_max_tokens_limits_the_answer(self, provider: LocalProvider) -> None:
        body = {**QUESTION, "messages": [{"role": "user", "content": "Write a long story."}]}
        body["max_tokens"] = 5
        response = await provider.send(UpstreamRequest(Route.CHAT_COMPLETIONS, "local-x", body))
        assert response["usage"]["completion_tokens"] <= 5
        assert response["choices"][0]["finish_reason"] == "length"


class TestFim:
    async def test_continues_the_prompt(self, provider: LocalProvider) -> None:
        body = {
            "prompt": "def add(a, b):\n    return",
            "suffix": "\n\nprint(add(1, 2))",
            "temperature": 0,
            "max_tokens": 20,
        }
        response = await provider.send(UpstreamRequest(Route.FIM_COMPLETIONS, "local-x", body))
        content = response["choices"][0]["message"]["content"]
        assert "a + b" in content
        assert response["usage"]["prompt_tokens"] > 0
