"""Defect 4: what an upstream error carries without content survives (status class, a known
code, Retry-After); its body never reaches the client."""

from __future__ import annotations

import orjson
import pytest
from mistralai.client import Mistral, errors

from tests.fakes.scripted import Reply, ScriptedUpstream

CHAT = "/v1/chat/completions"
SECRET = "zk-canary-upstream-echo"
MESSAGES = [{"role": "user", "content": "hello"}]


def _fail(client: Mistral, model: str = "m-mistral") -> errors.SDKError:
    with pytest.raises(errors.SDKError) as caught:
        client.chat.complete(model=model, messages=MESSAGES)
    assert SECRET not in caught.value.body
    return caught.value


def _body(error: errors.SDKError) -> dict[str, object]:
    data = orjson.loads(error.body)
    assert isinstance(data, dict)
    return data


class TestStatusClass:
    @pytest.mark.parametrize("status", [401, 403])
    def test_refused_gateway_key_is_a_502_naming_the_provider(
        self,
        client: Mistral,
        upstreams: tuple[ScriptedUpstream, ScriptedUpstream],
        status: int,
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json({"message": f"Unauthorized {SECRET}"}, status))
        error = _fail(client)
        assert error.status_code == 502
        body = _body(error)
        assert body["type"] == "upstream_auth_failed"
        assert "up-mistral" in str(body["message"])

    def test_upstream_404_is_a_502(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json({"detail": f"Not Found {SECRET}"}, 404))
        assert _fail(client).status_code == 502

    def test_upstream_400_stays_a_client_error(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(
            CHAT,
            Reply.json(
                {"object": "error", "message": SECRET, "type": "invalid_request_error"}, 400
            ),
        )
        error = _fail(client)
        assert error.status_code == 400
        assert _body(error)["type"] == "upstream_rejected"

    @pytest.mark.parametrize(("status", "expected"), [(500, 502), (502, 502), (503, 503)])
    def test_server_errors_keep_their_class(
        self,
        client: Mistral,
        upstreams: tuple[ScriptedUpstream, ScriptedUpstream],
        status: int,
        expected: int,
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json({"message": SECRET}, status))
        assert _fail(client).status_code == expected


class TestKnownCodes:
    def test_openai_context_length_code_is_kept(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        openai.reply(
            CHAT,
            Reply.json(
                {
                    "error": {
                        "message": f"maximum context length is 2048 tokens {SECRET}",
                        "type": "invalid_request_error",
                        "param": "messages",
                        "code": "context_length_exceeded",
                    }
                },
                400,
            ),
        )
        error = _fail(client, "m-openai")
        assert error.status_code == 400
        assert _body(error)["code"] == "context_length_exceeded"

    def test_llama_cpp_context_type_is_recognised(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        openai.reply(
            CHAT,
            Reply.json(
                {"error": {"code": 400, "message": SECRET, "type": "exceed_context_size_error"}},
                400,
            ),
        )
        assert _body(_fail(client, "m-openai"))["code"] == "context_length_exceeded"

    def test_vllm_prose_only_context_error_is_recognised(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        message = f"This model's maximum context length is 2048 tokens. {SECRET}"
        openai.reply(
            CHAT,
            Reply.json({"object": "error", "message": message, "type": "BadRequestError"}, 400),
        )
        assert _body(_fail(client, "m-openai"))["code"] == "context_length_exceeded"

    def test_unknown_code_is_not_passed_on(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json({"message": "x", "code": SECRET}, 400))
        assert _body(_fail(client))["code"] is None


class TestRetryAfter:
    def test_upstream_retry_after_is_relayed(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(
            CHAT,
            Reply.json(
                {"object": "error", "message": "Rate limit exceeded", "code": "1300"},
                429,
                headers={"Retry-After": "17"},
            ),
        )
        error = _fail(client)
        assert error.status_code == 429
        assert error.headers["retry-after"] == "17"
        assert _body(error)["code"] == "1300"

    def test_overloaded_upstream_retry_after_is_relayed(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(CHAT, Reply.json({"message": SECRET}, 503, headers={"Retry-After": "3"}))
        error = _fail(client)
        assert error.status_code == 503
        assert error.headers["retry-after"] == "3"
