"""Error responses of the live gateway: Mistral shape, JSON, retention header, and no echo of
what the client sent (DESIGN.md invariant 2: failure paths keep nothing and repeat nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.harness import LiveServer

CANARY = "canary-errors-91b7e2"
ERROR_KEYS = {"object", "message", "type", "param", "code"}


@pytest.fixture()
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    _, key = live_server.new_organization(zdr=True)
    with httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as client:
        yield client


def assert_error(
    response: httpx.Response, status: int, error_type: str, retention: str = "none"
) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["zerokeep-retention"] == retention
    assert CANARY not in response.text
    body: dict[str, object] = response.json()
    assert set(body) == ERROR_KEYS
    assert body["object"] == "error"
    assert body["type"] == error_type
    return body


class TestRouting:
    @pytest.mark.parametrize("path", ["/v1/nowhere", f"/v1/{CANARY}", f"/{CANARY}?q={CANARY}"])
    def test_unknown_route_is_404(self, client: httpx.Client, path: str) -> None:
        body = assert_error(client.get(path), 404, "invalid_request_error")
        assert body["code"] == "not_found"

    def test_unknown_model_id_is_404(self, client: httpx.Client) -> None:
        body = assert_error(
            client.get(f"/v1/models/{CANARY}"), 404, "invalid_request_error", "metadata"
        )
        assert body["code"] == "not_found"

    @pytest.mark.parametrize(
        ("method", "path", "retention"),
        [("GET", "/v1/chat/completions", "none"), ("DELETE", "/v1/models", "metadata")],
    )
    def test_wrong_method_is_405(
        self, client: httpx.Client, method: str, path: str, retention: str
    ) -> None:
        response = client.request(method, path)
        body = assert_error(response, 405, "invalid_request_error", retention)
        assert body["code"] == "method_not_allowed"
        assert "allow" in response.headers


class TestBodies:
    def test_malformed_json_is_422_without_echo(self, client: httpx.Client) -> None:
        raw = '{"model": "test-model", "messages": [{"role": "user", "content": "' + CANARY
        response = client.post(
            "/v1/chat/completions", content=raw, headers={"content-type": "application/json"}
        )
        body = assert_error(response, 422, "invalid_request_error")
        assert body["message"] == {
            "detail": [
                {"type": "json_invalid", "loc": ["body"], "msg": "The body is not valid JSON."}
            ]
        }

    def test_truncated_messages_array_is_422(self, client: httpx.Client) -> None:
        raw = '{"model": "test-model", "messages": [' + f'"{CANARY}'
        response = client.post(
            "/v1/chat/completions", content=raw, headers={"content-type": "application/json"}
        )
        assert_error(response, 422, "invalid_request_error")

    def test_non_object_body_is_422(self, client: httpx.Client) -> None:
        response = client.post("/v1/chat/completions", json=[CANARY])
        assert_error(response, 422, "invalid_request_error")

    def test_wrong_typed_field_is_422_without_echo(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/chat/completions",
            json={
                "model": "test-model",
                "messages": [{"role": "user", "content": "hi"}],
                "temperature": CANARY,
            },
        )
        body = assert_error(response, 422, "invalid_request_error")
        message = body["message"]
        assert isinstance(message, dict)
        assert any("temperature" in item["loc"] for item in message["detail"])

    def test_unknown_field_name_is_422_without_echo(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/chat/completions",
            json={
                "model": "test-model",
                "messages": [{"role": "user", "content": "hi"}],
                CANARY: 1,
            },
        )
        assert_error(response, 422, "invalid_request_error")

    def test_canary_in_a_message_role_is_not_echoed(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/chat/completions",
            json={"model": "test-model", "messages": [{"role": CANARY, "content": CANARY}]},
        )
        assert_error(response, 422, "invalid_request_error")

    def test_declared_oversized_body_is_413(self, client: httpx.Client) -> None:
        limit = 25 * 1024 * 1024
        padding = "x" * (limit + 1024 * 1024)
        raw = '{"model": "test-model", "messages": [{"role": "user", "content": "'
        raw += CANARY + padding + '"}]}'
        response = client.post(
            "/v1/chat/completions", content=raw, headers={"content-type": "application/json"}
        )
        body = assert_error(response, 413, "invalid_request_error")
        assert body["code"] == "payload_too_large"

    def test_streamed_oversized_body_is_413(self, client: httpx.Client) -> None:
        chunk = b"x" * (1024 * 1024)

        def chunks() -> Iterator[bytes]:
            yield b'{"model": "test-model", "messages": [{"role": "user", "content": "'
            yield CANARY.encode()
            for _ in range(26):
                yield chunk
            yield b'"}]}'

        response = client.post(
            "/v1/chat/completions", content=chunks(), headers={"content-type": "application/json"}
        )
        body = assert_error(response, 413, "invalid_request_error")
        assert body["code"] == "payload_too_large"


class TestModels:
    def test_unknown_model_is_400_without_echo(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/chat/completions",
            json={"model": CANARY, "messages": [{"role": "user", "content": "hi"}]},
        )
        body = assert_error(response, 400, "invalid_request_error")
        assert body["code"] == "unknown_model"
        assert "/v1/models" in str(body["message"])

    def test_model_not_serving_the_route_is_unknown_model(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/fim/completions", json={"model": "retaining-model", "prompt": CANARY}
        )
        body = assert_error(response, 400, "invalid_request_error")
        assert body["code"] == "unknown_model"

    def test_non_zdr_org_error_states_the_archive_regime(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(zdr=False)
        response = httpx.post(
            live_server.base_url + "/v1/chat/completions",
            headers={"Authorization": f"Bearer {key}"},
            json={"model": CANARY, "messages": [{"role": "user", "content": "hi"}]},
        )
        assert_error(response, 400, "invalid_request_error", "archive; days=30")
