"""Canary traffic down every failure path: malformed JSON, validation errors, unknown model,
malformed multipart, an oversized body (declared and chunked), a rate-limited call, upstream
4xx/5xx that echo the prompt, a bad upstream body, an upstream timeout, and a client that hangs
up mid-stream. The SDK sends what it can; raw HTTP sends what no SDK would.

    results = send_failures(target, canary)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from zerokeep.retention.catalogue import Route
from zerokeep.retention_audit.canary import Canary
from zerokeep.retention_audit.fake_upstream import FakeUpstream
from zerokeep.retention_audit.rawhttp import RawHttp
from zerokeep.retention_audit.traffic import CallResult, sdk_client, status_of

CHAT = Route.CHAT_COMPLETIONS.value
UPSTREAM_FAILURES = {
    "upstream-500-echo": ("fail-500-echo", (502,)),
    "upstream-400-echo": ("fail-400-echo", (400,)),
    "upstream-429": ("fail-429", (429,)),
    "upstream-bad-json": ("bad-json", (502,)),
    "upstream-timeout": ("hang", (504,)),
}
DISCONNECT_WAIT_SECONDS = 10.0


@dataclass(frozen=True, slots=True, repr=False)
class FailureTarget:
    """Where to send the failures: the gateway, a ZDR key, a chat model, the body limit, and
    (self-contained mode only) the fake upstream and a key of an org limited to 1 request/min."""

    base_url: str
    api_key: str
    chat_model: str | None
    max_body_bytes: int
    fake: FakeUpstream | None = None
    rate_limited_key: str | None = None


def send_failures(target: FailureTarget, canary: Canary) -> list[CallResult]:
    results = _request_failures(target, canary)
    results += _oversized(target, canary)
    results += _rate_limited(target, canary)
    results += _upstream_failures(target, canary)
    results.append(_disconnect(target, canary))
    return results


def _headers(key: str, content_type: str = "application/json") -> dict[str, str]:
    return {"authorization": f"Bearer {key}", "content-type": content_type}


def _result(name: str, route: str, status: int | None, *expected: int) -> CallResult:
    return CallResult(name, route, "zdr", status, expected)


def _request_failures(target: FailureTarget, canary: Canary) -> list[CallResult]:
    http = RawHttp(target.base_url)
    model = target.chat_model or "unknown"
    chat = {"model": model, "messages": [{"role": "user", "content": canary.prompt()}]}
    headers = _headers(target.api_key)

    def post(body: object) -> int:
        return http.request("POST", CHAT, json.dumps(body).encode(), headers).status

    malformed = f'{{"model": "{model}", "messages": [{canary.token}'.encode()
    multipart = _headers(target.api_key, "multipart/form-data; boundary=zkaudit")
    sdk = sdk_client(target.base_url, target.api_key)
    return [
        _result("malformed-json", CHAT, http.request("POST", CHAT, malformed, headers).status, 422),
        _result("validation-wrong-type", CHAT, post({**chat, "temperature": canary.token}), 422),
        _result("validation-unknown-field", CHAT, post({**chat, canary.token: 1}), 422),
        _result(
            "validation-missing-field", CHAT, post({"model": model, "prompt": canary.token}), 422
        ),
        _result(
            "unknown-model",
            CHAT,
            status_of(lambda: sdk.chat.complete(model=canary.token, messages=chat["messages"])),
            400,
            404,
        ),
        _result(
            "malformed-multipart",
            Route.AUDIO_TRANSCRIPTIONS.value,
            http.request(
                "POST", Route.AUDIO_TRANSCRIPTIONS.value, canary.token.encode(), multipart
            ).status,
            400,
            422,
        ),
    ]


def _oversized(target: FailureTarget, canary: Canary) -> list[CallResult]:
    http = RawHttp(target.base_url)
    filler = (canary.prompt() + " ").encode()
    repeats = target.max_body_bytes // len(filler) + 2
    prefix = f'{{"model": "{target.chat_model}", "messages": [{{"role": "user", "content": "'
    body = prefix.encode() + filler * repeats + b'"}]}'

    def chunked() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    headers = _headers(target.api_key)
    return [
        _result("oversized-body", CHAT, http.request("POST", CHAT, body, headers).status, 413),
        _result(
            "oversized-body-chunked",
            CHAT,
            http.request("POST", CHAT, chunked(), headers).status,
            413,
        ),
    ]


def _rate_limited(target: FailureTarget, canary: Canary) -> list[CallResult]:
    if target.rate_limited_key is None or target.chat_model is None:
        return [_skipped("rate-limited", "needs an organization with a tiny requests_per_minute")]
    sdk = sdk_client(target.base_url, target.rate_limited_key)
    messages = [{"role": "user", "content": canary.prompt()}]
    model = target.chat_model

    def call() -> object:
        return sdk.chat.complete(model=model, messages=messages)

    first, second = status_of(call), status_of(call)
    return [
        CallResult("rate-limited (first call)", CHAT, "rate-limited", first, (200,)),
        CallResult("rate-limited", CHAT, "rate-limited", second, (429,)),
    ]


def _upstream_failures(target: FailureTarget, canary: Canary) -> list[CallResult]:
    if target.fake is None:
        return [_skipped(name, "needs the audit's fake upstream") for name in UPSTREAM_FAILURES]
    sdk = sdk_client(target.base_url, target.api_key)
    messages = [{"role": "user", "content": canary.prompt()}]
    results: list[CallResult] = []
    try:
        for name, (model, expected) in UPSTREAM_FAILURES.items():
            for suffix, method in (("", sdk.chat.complete), (" (stream)", sdk.chat.stream)):
                status = status_of(_bind(method, model, messages))
                results.append(_result(name + suffix, CHAT, status, *expected))
    finally:
        target.fake.release()
    return results


def _bind(method: Callable[..., object], model: str, messages: object) -> Callable[[], object]:
    return lambda: method(model=model, messages=messages)


def _disconnect(target: FailureTarget, canary: Canary) -> CallResult:
    name = "client-disconnect-mid-stream"
    model = "stream-hold" if target.fake is not None else target.chat_model
    if model is None:
        return _skipped(name, "no chat model")
    body = {
        "model": model,
        "stream": True,
        "messages": [{"role": "user", "content": canary.prompt()}],
    }
    http = RawHttp(target.base_url)
    if target.fake is None:
        status = http.hang_up_mid_stream(CHAT, json.dumps(body).encode(), _headers(target.api_key))
        return _result(name, CHAT, status, 200)
    target.fake.disconnected.clear()
    try:
        status = http.hang_up_mid_stream(CHAT, json.dumps(body).encode(), _headers(target.api_key))
        seen = target.fake.disconnected.wait(DISCONNECT_WAIT_SECONDS)
    finally:
        target.fake.release()
    note = "the upstream saw the disconnect" if seen else "the upstream never saw the disconnect"
    return CallResult(name, CHAT, "zdr", status if seen else None, (200,), note)


def _skipped(name: str, reason: str) -> CallResult:
    return CallResult(name, CHAT, "zdr", None, (), f"not sent: {reason}", is_skipped=True)
