"""Server-sent events on the wire, and client disconnects reaching the upstream.

Chat and FIM: `data: {...}\\n\\n` frames ending with `data: [DONE]\\n\\n`. Speech and
transcription: `event: <type>\\ndata: {...}\\n\\n` frames and no [DONE] sentinel.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import wave
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.db import read_only
from zerokeep.models import UsageRecord


@pytest.fixture()
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    _, key = live_server.new_organization(zdr=True)
    with httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
    ) as client:
        yield client


def stream_bytes(client: httpx.Client, path: str, **kwargs: object) -> bytes:
    with client.stream("POST", path, **kwargs) as response:  # type: ignore[arg-type]
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return response.read()


def frames_of(wire: bytes) -> list[str]:
    assert wire.endswith(b"\n\n")
    return wire.decode().removesuffix("\n\n").split("\n\n")


def small_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(8000)
        sink.writeframes(b"\x00\x00" * 400)
    return buffer.getvalue()


class TestDataOnlyFraming:
    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": "frame me"}]}),
            ("/v1/fim/completions", {"prompt": "frame me"}),
        ],
    )
    def test_data_frames_then_done(self, client: httpx.Client, path: str, body: dict) -> None:
        wire = stream_bytes(client, path, json={"model": "test-model", "stream": True, **body})
        frames = frames_of(wire)
        assert frames[-1] == "data: [DONE]"
        assert frames.count("data: [DONE]") == 1
        chunks = []
        for frame in frames[:-1]:
            assert frame.startswith("data: ") and "\n" not in frame
            chunks.append(json.loads(frame.removeprefix("data: ")))
        assert len(chunks) >= 3
        assert all(chunk["model"] == "test-model" for chunk in chunks)
        assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
        text = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
        assert "frame me" in text
        assert "usage" in chunks[-1]


def event_frames(wire: bytes) -> list[tuple[str, dict]]:
    parsed = []
    for frame in frames_of(wire):
        event_line, data_line = frame.split("\n")
        assert event_line.startswith("event: ") and data_line.startswith("data: ")
        parsed.append((event_line.removeprefix("event: "), json.loads(data_line[6:])))
    return parsed


class TestEventFraming:
    def test_speech(self, client: httpx.Client) -> None:
        body = {"model": "test-model", "input": "speak now", "stream": True}
        wire = stream_bytes(client, "/v1/audio/speech", json=body)
        assert b"[DONE]" not in wire
        events = event_frames(wire)
        assert [name for name, _ in events][-1] == "speech.audio.done"
        assert all(data["type"] == name for name, data in events)
        assert {name for name, _ in events[:-1]} == {"speech.audio.delta"}

    def test_transcription(self, client: httpx.Client) -> None:
        wire = stream_bytes(
            client,
            "/v1/audio/transcriptions",
            data={"model": "test-model", "stream": "true"},
            files={"file": ("clip.wav", small_wav(), "audio/wav")},
        )
        assert b"[DONE]" not in wire
        events = event_frames(wire)
        names = [name for name, _ in events]
        assert names[0] == "transcription.language"
        assert names[-1] == "transcription.done"
        assert "transcription.text.delta" in names
        assert events[-1][1]["model"] == "test-model"


def hold_streams(fake: FakeUpstream) -> None:
    """Re-arm "stream-hold": the fake's release() stays set once called (see the report)."""
    loop, release = fake._loop, fake._release  # private: the fake has no public re-arm
    assert loop is not None and release is not None

    async def clear() -> None:
        release.clear()

    asyncio.run_coroutine_threadsafe(clear(), loop).result(5)
    fake.disconnected.clear()


def open_and_drop(base_url: str, key: str) -> None:
    """Open a held chat stream, read the first chunk, close the response."""
    body = {"model": "stream-hold", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    with httpx.stream(
        "POST",
        base_url + "/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ) as response:
        assert response.status_code == 200
        assert next(response.iter_raw()).startswith(b"data: ")


def statuses_when_metered(live_server: LiveServer, organization_id: str) -> list[int]:
    """The org's usage statuses once a row exists (the relay records after closing upstream)."""

    async def statuses() -> list[int]:
        async with read_only(live_server.state.sessions) as session:
            query = select(UsageRecord.status_code).where(
                UsageRecord.organization_id == organization_id
            )
            return list((await session.scalars(query)).all())

    deadline = time.monotonic() + 10
    while True:
        live_server.flush()
        found = live_server.run(statuses())
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


class TestClientDisconnect:
    def test_upstream_sees_disconnect(
        self, live_server: LiveServer, fake_upstream: FakeUpstream
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        hold_streams(fake_upstream)
        try:
            open_and_drop(live_server.base_url, key)
            assert fake_upstream.disconnected.wait(timeout=10)
        finally:
            fake_upstream.release()

    def test_disconnect_is_metered_as_client_closed(
        self, live_server: LiveServer, fake_upstream: FakeUpstream
    ) -> None:
        org_id, key = live_server.new_organization(zdr=True)
        hold_streams(fake_upstream)
        try:
            open_and_drop(live_server.base_url, key)
            assert fake_upstream.disconnected.wait(timeout=10)
        finally:
            fake_upstream.release()
        assert statuses_when_metered(live_server, org_id) == [499]
