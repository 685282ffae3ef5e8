"""Canary-bearing traffic for every stateless route and failure path, over real HTTP."""

from __future__ import annotations

import base64
import contextlib
import io
import wave
from collections.abc import Callable

import httpx

from tests.fakes import FakeUpstream

Call = Callable[[httpx.Client, str], httpx.Response]


def _wav_with(text: str) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(text.encode() * 4)
    return text.encode() + buffer.getvalue()


def json_bodies(model: str, canary: str) -> dict[str, dict[str, object]]:
    messages = [{"role": "user", "content": f"tell me about {canary}"}]
    data_url = "data:text/plain;base64," + base64.b64encode(canary.encode()).decode()
    return {
        "/v1/chat/completions": {"model": model, "messages": messages},
        "/v1/fim/completions": {"model": model, "prompt": f"def {canary}(", "suffix": canary},
        "/v1/embeddings": {"model": model, "input": [canary, f"again {canary}"]},
        "/v1/moderations": {"model": model, "input": canary},
        "/v1/chat/moderations": {"model": model, "input": messages},
        "/v1/classifications": {"model": model, "input": [canary]},
        "/v1/chat/classifications": {"model": model, "input": {"messages": messages}},
        "/v1/ocr": {
            "model": model,
            "document": {"type": "document_url", "document_url": data_url},
        },
        "/v1/audio/speech": {"model": model, "input": canary, "response_format": "wav"},
    }


def post_json(client: httpx.Client, key: str, path: str, body: object) -> httpx.Response:
    return client.post(path, json=body, headers={"authorization": f"Bearer {key}"})


def post_transcription(
    client: httpx.Client, key: str, model: str, canary: str, stream: bool = False
) -> httpx.Response:
    return client.post(
        "/v1/audio/transcriptions",
        headers={"authorization": f"Bearer {key}"},
        data={"model": model, "stream": "true" if stream else "false", "context_bias": canary},
        files={"file": (f"{canary}.wav", _wav_with(canary), "audio/wav")},
    )


def stream_json(client: httpx.Client, key: str, path: str, body: dict[str, object]) -> str:
    with client.stream(
        "POST", path, json={**body, "stream": True}, headers={"authorization": f"Bearer {key}"}
    ) as response:
        return response.read().decode()


def every_route(client: httpx.Client, key: str, model: str, canary: str) -> dict[str, int]:
    """Send the canary through all ten routes, non-streaming and streaming; return statuses."""
    statuses: dict[str, int] = {}
    for path, body in json_bodies(model, canary).items():
        statuses[path] = post_json(client, key, path, body).status_code
    for path in ("/v1/chat/completions", "/v1/fim/completions", "/v1/audio/speech"):
        text = stream_json(client, key, path, json_bodies(model, canary)[path])
        statuses[path + "#stream"] = 200 if canary in text or "audio" in text else 500
    statuses["/v1/audio/transcriptions"] = post_transcription(
        client, key, model, canary
    ).status_code
    statuses["/v1/audio/transcriptions#stream"] = post_transcription(
        client, key, model, canary, stream=True
    ).status_code
    return statuses


def every_failure(
    client: httpx.Client, key: str, canary: str, fake: FakeUpstream
) -> dict[str, int]:
    """Send the canary down every failure path; return the status each produced."""
    chat = json_bodies("test-model", canary)["/v1/chat/completions"]
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    statuses = {
        "malformed-json": client.post(
            "/v1/chat/completions",
            content=f'{{"model": "test-model", "messages": [{canary}',
            headers=headers,
        ).status_code,
        "wrong-type": post_json(
            client, key, "/v1/chat/completions", {**chat, "temperature": canary}
        ).status_code,
        "unknown-field": post_json(
            client, key, "/v1/chat/completions", {**chat, canary: 1}
        ).status_code,
        "unknown-model": post_json(
            client, key, "/v1/chat/completions", {**chat, "model": canary}
        ).status_code,
        "malformed-multipart": client.post(
            "/v1/audio/transcriptions",
            content=canary.encode(),
            headers={**headers, "content-type": "multipart/form-data; boundary=x"},
        ).status_code,
    }
    for model in ("fail-500-echo", "fail-400-echo", "fail-429", "bad-json", "hang"):
        body = {**chat, "model": model}
        statuses[model] = post_json(client, key, "/v1/chat/completions", body).status_code
        statuses[model + "#stream"] = _stream_status(client, key, body)
    statuses["disconnect-mid-stream"] = disconnect_mid_stream(client, key, chat, fake)
    return statuses


def _stream_status(client: httpx.Client, key: str, body: dict[str, object]) -> int:
    with client.stream(
        "POST",
        "/v1/chat/completions",
        json={**body, "stream": True},
        headers={"authorization": f"Bearer {key}"},
    ) as response:
        response.read()
        return response.status_code


def disconnect_mid_stream(
    client: httpx.Client, key: str, chat: dict[str, object], fake: FakeUpstream
) -> int:
    fake.disconnected.clear()
    try:
        with client.stream(
            "POST",
            "/v1/chat/completions",
            json={**chat, "model": "stream-hold", "stream": True},
            headers={"authorization": f"Bearer {key}"},
        ) as response:
            with contextlib.suppress(StopIteration):
                next(response.iter_raw())
            status = response.status_code
        assert fake.disconnected.wait(timeout=10), "the upstream never saw the disconnect"
        return status
    finally:
        fake.release()
