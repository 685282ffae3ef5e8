"""Several deployments behind one model name: failover before the first byte, a bounded retry
budget, cool-down, weighted balancing, and never a retaining deployment for a ZDR requirement."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import orjson
import pytest
from mistralai.client import Mistral, errors
from sqlalchemy import update

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.harness import LiveServer
from zerokeep.db import unit_of_work
from zerokeep.models import Organization

CHAT = "/v1/chat/completions"
MESSAGES: list[Any] = [{"role": "user", "content": "hello"}]
OK = Reply.json(
    {
        "id": "c1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "x",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
)
FAILURES = {
    "timeout": Reply.hang(),
    "429": Reply.json({"message": "slow down"}, 429, headers={"Retry-After": "9"}),
    "500": Reply.json({"message": "boom"}, 500),
    "503": Reply.json({"message": "busy"}, 503),
    "dropped connection": Reply.drop(),
}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "x",
        "choices": [choice],
    }


def models_called(upstream: ScriptedUpstream) -> list[str]:
    return [body["model"] for body in upstream.bodies(CHAT)]


@pytest.fixture()
def client(gateway: LiveServer) -> Mistral:
    return Mistral(api_key=gateway.new_organization()[1], server_url=gateway.base_url)


class TestFailover:
    @pytest.mark.parametrize("failure", list(FAILURES))
    def test_a_failing_deployment_fails_over_to_the_next(
        self, client: Mistral, shared: ScriptedUpstream, failure: str
    ) -> None:
        shared.reply(CHAT, FAILURES[failure], OK)
        response = client.chat.complete(model="pair", messages=MESSAGES)
        assert response.model == "pair"
        assert models_called(shared) == ["a", "b"]

    def test_an_unreachable_deployment_fails_over(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        shared.reply(CHAT, OK)
        response = client.chat.complete(model="dead-first", messages=MESSAGES)
        assert response.choices[0].message.content == "hi"
        assert models_called(shared) == ["b"]

    def test_a_stream_fails_over_before_its_first_byte(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        stream = Reply.sse([chunk({"role": "assistant", "content": "hi"}), chunk({}, "stop")])
        shared.reply(CHAT, FAILURES["503"], stream)
        events = list(client.chat.stream(model="pair", messages=MESSAGES))
        assert events[0].data.choices[0].delta.content == "hi"
        assert models_called(shared) == ["a", "b"]

    def test_no_failover_once_a_stream_has_started(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        first = b"data: " + orjson.dumps(chunk({"role": "assistant", "content": "hi"})) + b"\n\n"
        cut = Reply(content_type="text/event-stream", events=(first, b"data: {not json\n\n"))
        shared.reply(CHAT, cut, OK)
        received = []
        # The stream ends with the gateway's error event, which the SDK refuses as a chunk.
        with pytest.raises(errors.ResponseValidationError):
            for event in client.chat.stream(model="pair", messages=MESSAGES):
                received.append(event)
        assert received[0].data.choices[0].delta.content == "hi"
        assert models_called(shared) == ["a"]

    def test_a_client_error_is_not_failed_over(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        shared.reply(CHAT, Reply.json({"message": "bad"}, 400), OK)
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="pair", messages=MESSAGES)
        assert caught.value.status_code == 400
        assert models_called(shared) == ["a"]


class TestBudgetAndCooldown:
    def test_the_retry_budget_bounds_the_attempts(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        shared.reply(CHAT, FAILURES["503"])
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="trio", messages=MESSAGES)
        assert caught.value.status_code == 503
        assert models_called(shared) == ["a", "b"]  # max_failovers = 1

    def test_a_failed_deployment_cools_down(
        self, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        shared.reply(CHAT, FAILURES["500"], OK, OK)
        client.chat.complete(model="pair", messages=MESSAGES)
        client.chat.complete(model="pair", messages=MESSAGES)
        assert models_called(shared) == ["a", "b", "b"]


class TestBalancing:
    def test_traffic_follows_the_weights(
        self, gateway: LiveServer, client: Mistral, shared: ScriptedUpstream
    ) -> None:
        router = gateway.state.gateway.router
        router._random = random.Random(20261130)  # type: ignore[assignment]
        target = next(t for t in router.targets() if t.model.name == "pair")
        target.deployments[0].weight = 3
        try:
            shared.reply(CHAT, OK)
            for _ in range(80):
                client.chat.complete(model="pair", messages=MESSAGES)
        finally:
            target.deployments[0].weight = 1
        counts = Counter(models_called(shared))
        assert 0.62 <= counts["a"] / 80 <= 0.88


class TestUpstreamZdr:
    def test_a_zdr_requirement_never_reaches_a_retaining_deployment(
        self, gateway: LiveServer, shared: ScriptedUpstream, retaining: ScriptedUpstream
    ) -> None:
        organization_id, key = gateway.new_organization(zdr=True)

        async def require() -> None:
            async with unit_of_work(gateway.state.sessions) as session:
                await session.execute(
                    update(Organization)
                    .where(Organization.id == organization_id)
                    .values(requires_upstream_zdr=True)
                )

        gateway.run(require())
        gateway.state.policy_changed()
        gateway.state.gateway.router._random = random.Random(7)  # type: ignore[assignment]
        client = Mistral(api_key=key, server_url=gateway.base_url)
        retaining.reply(CHAT, OK)
        shared.reply(CHAT, OK)
        for _ in range(20):
            client.chat.complete(model="mixed", messages=MESSAGES)
        shared.reply(CHAT, FAILURES["503"])
        with pytest.raises(errors.SDKError) as caught:  # fail closed: no retaining fallback
            client.chat.complete(model="mixed", messages=MESSAGES)
        assert caught.value.status_code == 503
        assert retaining.received() == []
        assert len(shared.received(CHAT)) == 21

    def test_other_organizations_use_the_retaining_deployment(
        self, client: Mistral, retaining: ScriptedUpstream
    ) -> None:
        retaining.reply(CHAT, OK)
        client.chat.complete(model="mixed", messages=MESSAGES)
        assert [b["model"] for b in retaining.bodies(CHAT)] == ["r"]
