"""Per-organization rate limits (requests and tokens per minute), set in the database.

Over the limit, the gateway answers 429 in the Mistral error shape with `retry-after`, does not
call the upstream, and the official SDK raises SDKError(status_code=429).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mistralai.client import Mistral, errors
from sqlalchemy import update

from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.db import unit_of_work
from zerokeep.models import Organization

CHAT_PATH = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "count me"}]


def set_limits(live_server: LiveServer, organization_id: str, **values: Any) -> None:
    async def work() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            await session.execute(
                update(Organization).where(Organization.id == organization_id).values(**values)
            )

    live_server.run(work())
    live_server.state.policy_changed()


def chat(live_server: LiveServer, key: str) -> httpx.Response:
    return httpx.post(
        live_server.base_url + CHAT_PATH,
        headers={"Authorization": f"Bearer {key}"},
        json={"model": "test-model", "messages": MESSAGES},
        timeout=10,
    )


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["object"] == "error"
    assert body["type"] == "rate_limit_error"
    assert body["code"] == "1300"
    assert set(body) == {"object", "message", "type", "param", "code"}
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["x-ratelimit-remaining-req-minute"].isdigit()
    assert response.headers["zerokeep-retention"] in ("none", "archive; days=30")


@pytest.fixture()
def limited_org(live_server: LiveServer) -> tuple[str, str]:
    return live_server.new_organization(zdr=True)


class TestRequestsPerMinute:
    def test_third_call_is_429(
        self, live_server: LiveServer, fake_upstream: FakeUpstream, limited_org: tuple[str, str]
    ) -> None:
        org_id, key = limited_org
        set_limits(live_server, org_id, requests_per_minute=2)
        first, second = chat(live_server, key), chat(live_server, key)
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.headers["x-ratelimit-limit-req-minute"] == "2"
        assert second.headers["x-ratelimit-remaining-req-minute"] == "0"
        upstream_calls = fake_upstream.count(CHAT_PATH)
        third = chat(live_server, key)
        assert_rate_limited(third)
        assert third.headers["x-ratelimit-remaining-req-minute"] == "0"
        assert fake_upstream.count(CHAT_PATH) == upstream_calls

    def test_sdk_raises_sdk_error_429(
        self, live_server: LiveServer, limited_org: tuple[str, str]
    ) -> None:
        org_id, key = limited_org
        set_limits(live_server, org_id, requests_per_minute=2)
        client = Mistral(api_key=key, server_url=live_server.base_url)
        for _ in range(2):
            client.chat.complete(model="test-model", messages=MESSAGES)
        with pytest.raises(errors.SDKError) as raised:
            client.chat.complete(model="test-model", messages=MESSAGES)
        assert raised.value.status_code == 429
        assert "retry-after" in raised.value.headers

    def test_limit_is_per_organization(
        self, live_server: LiveServer, limited_org: tuple[str, str]
    ) -> None:
        org_id, key = limited_org
        set_limits(live_server, org_id, requests_per_minute=1)
        _, other_key = live_server.new_organization(zdr=True)
        assert chat(live_server, key).status_code == 200
        assert_rate_limited(chat(live_server, key))
        assert chat(live_server, other_key).status_code == 200


class TestTokensPerMinute:
    def test_call_after_budget_spent_is_429(
        self, live_server: LiveServer, fake_upstream: FakeUpstream, limited_org: tuple[str, str]
    ) -> None:
        org_id, key = limited_org
        set_limits(live_server, org_id, tokens_per_minute=4)
        first = chat(live_server, key)
        assert first.status_code == 200
        assert first.headers["x-ratelimit-limit-tokens-minute"] == "4"
        assert first.json()["usage"]["total_tokens"] >= 4
        upstream_calls = fake_upstream.count(CHAT_PATH)
        second = chat(live_server, key)
        assert_rate_limited(second)
        assert second.headers["x-ratelimit-remaining-tokens-minute"] == "0"
        assert fake_upstream.count(CHAT_PATH) == upstream_calls

    def test_streamed_tokens_count(
        self, live_server: LiveServer, limited_org: tuple[str, str]
    ) -> None:
        org_id, key = limited_org
        set_limits(live_server, org_id, tokens_per_minute=4)
        client = Mistral(api_key=key, server_url=live_server.base_url)
        events = list(client.chat.stream(model="test-model", messages=MESSAGES))
        assert events[-1].data.usage.total_tokens >= 4
        assert_rate_limited(chat(live_server, key))
