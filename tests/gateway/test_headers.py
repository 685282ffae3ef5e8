"""Response headers of the gateway: retention regime, overhead, rate limits.

Every response (success, stream, 4xx) states the regime applied in `zerokeep-retention` and the
gateway's own time in `zerokeep-overhead-ms`; stateless responses carry the x-ratelimit-* family.
"""

from __future__ import annotations

import httpx
import pytest

from tests.harness import LiveServer

RATE_HEADERS = (
    "x-ratelimit-limit-req-minute",
    "x-ratelimit-remaining-req-minute",
    "x-ratelimit-limit-tokens-minute",
    "x-ratelimit-remaining-tokens-minute",
)


def chat_body(model: str = "test-model", stream: bool = False) -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}


def overhead_of(response: httpx.Response) -> float:
    value = float(response.headers["zerokeep-overhead-ms"])
    assert value >= 0.0
    return value


@pytest.fixture(params=[True, False], ids=["zdr", "archive"])
def org(request: pytest.FixtureRequest, live_server: LiveServer) -> tuple[httpx.Client, str]:
    """(client with the org's key, expected zerokeep-retention value)."""
    is_zdr = bool(request.param)
    _, key = live_server.new_organization(zdr=is_zdr)
    expected = "none" if is_zdr else "archive; days=30"
    client = httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    return client, expected


class TestRetentionHeader:
    def test_success(self, org: tuple[httpx.Client, str]) -> None:
        client, expected = org
        response = client.post("/v1/chat/completions", json=chat_body())
        assert response.status_code == 200
        assert response.headers["zerokeep-retention"] == expected
        overhead_of(response)

    def test_stream(self, org: tuple[httpx.Client, str]) -> None:
        client, expected = org
        with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as resp:
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/event-stream")
            assert resp.headers["zerokeep-retention"] == expected
            overhead_of(resp)
            assert b"[DONE]" in resp.read()

    def test_validation_error(self, org: tuple[httpx.Client, str]) -> None:
        client, expected = org
        response = client.post("/v1/chat/completions", json={"model": "test-model"})
        assert response.status_code == 422
        assert response.headers["zerokeep-retention"] == expected
        overhead_of(response)

    def test_unknown_model(self, org: tuple[httpx.Client, str]) -> None:
        client, expected = org
        response = client.post("/v1/chat/completions", json=chat_body("no-such-model"))
        assert response.status_code == 400
        assert response.json()["code"] == "unknown_model"
        assert response.headers["zerokeep-retention"] == expected
        overhead_of(response)

    def test_upstream_failure(self, org: tuple[httpx.Client, str]) -> None:
        client, expected = org
        response = client.post("/v1/chat/completions", json=chat_body("fail-400-echo"))
        assert response.status_code == 400
        assert response.json()["type"] == "upstream_rejected"
        assert response.headers["zerokeep-retention"] == expected
        overhead_of(response)

    def test_missing_key_is_401_with_headers(self, live_server: LiveServer) -> None:
        response = httpx.post(live_server.base_url + "/v1/chat/completions", json=chat_body())
        assert response.status_code == 401
        assert response.headers["zerokeep-retention"] == "none"
        overhead_of(response)

    def test_control_route_says_metadata(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        response = client.get("/v1/models")
        assert response.status_code == 200
        assert response.headers["zerokeep-retention"] == "metadata"
        overhead_of(response)


class TestRateLimitHeaders:
    def test_present_on_success(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        response = client.post("/v1/embeddings", json={"model": "test-model", "input": "x"})
        assert response.status_code == 200
        for name in RATE_HEADERS:
            assert int(response.headers[name]) >= 0, name

    def test_each_header_is_sent_once(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        response = client.post("/v1/embeddings", json={"model": "test-model", "input": "x"})
        for name in (*RATE_HEADERS, "zerokeep-retention", "zerokeep-overhead-ms"):
            assert len(response.headers.get_list(name)) == 1, name

    def test_present_on_stream(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        with client.stream("POST", "/v1/chat/completions", json=chat_body(stream=True)) as resp:
            for name in RATE_HEADERS:
                assert int(resp.headers[name]) >= 0, name
            resp.read()

    def test_remaining_requests_decrease(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        first = client.post("/v1/chat/completions", json=chat_body())
        second = client.post("/v1/chat/completions", json=chat_body())
        name = "x-ratelimit-remaining-req-minute"
        assert int(second.headers[name]) == int(first.headers[name]) - 1

    def test_remaining_tokens_decrease(self, org: tuple[httpx.Client, str]) -> None:
        client, _ = org
        first = client.post("/v1/chat/completions", json=chat_body())
        used = first.json()["usage"]["total_tokens"]
        second = client.post("/v1/chat/completions", json=chat_body())
        name = "x-ratelimit-remaining-tokens-minute"
        assert int(second.headers[name]) == int(first.headers[name]) - used

    @pytest.mark.parametrize(
        "body",
        [{"model": "test-model"}, chat_body("fail-400-echo"), chat_body("fail-500-echo")],
        ids=["422", "upstream-400", "upstream-502"],
    )
    def test_present_on_counted_errors(
        self, org: tuple[httpx.Client, str], body: dict[str, object]
    ) -> None:
        client, _ = org
        response = client.post("/v1/chat/completions", json=body)
        assert response.status_code >= 400
        for name in RATE_HEADERS:
            assert int(response.headers[name]) >= 0, name
