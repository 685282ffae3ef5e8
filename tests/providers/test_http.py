"""Tests for the shared HTTP plumbing: SSE parsing, status mapping, transport error mapping."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp import web

from zerokeep.providers.base import (
    UpstreamFailed,
    UpstreamNotFound,
    UpstreamOverloaded,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from zerokeep.providers.http import (
    iter_sse,
    map_transport_errors,
    origin_url,
    parse_json_object,
    raise_for_upstream_status,
)

from .conftest import CANARY


async def _serve_bytes(chunks: list[bytes], status: int = 200) -> tuple[web.AppRunner, str]:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


async def _parse(
    session: aiohttp.ClientSession, chunks: list[bytes]
) -> list[tuple[str | None, str]]:
    runner, url = await _serve_bytes(chunks)
    try:
        async with session.get(url) as response:
            return [item async for item in iter_sse(response)]
    finally:
        await runner.cleanup()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestIterSse:
    async def test_lf_boundaries(self, session: aiohttp.ClientSession) -> None:
        events = await _parse(session, [b'data: {"a":1}\n\ndata: [DONE]\n\n'])
        assert events == [(None, '{"a":1}'), (None, "[DONE]")]

    async def test_crlf_boundaries_and_bom(self, session: aiohttp.ClientSession) -> None:
        body = b'\xef\xbb\xbfevent: speech.audio.delta\r\ndata: {"x":2}\r\n\r\ndata: y\r\n\r\n'
        events = await _parse(session, [body])
        assert events == [("speech.audio.delta", '{"x":2}'), (None, "y")]

    async def test_events_split_across_chunks(self, session: aiohttp.ClientSession) -> None:
        chunks = [b"\xef", b"\xbb\xbfda", b"ta: one\r", b"\n\r\nevent: e\ndata:", b"two\n\n"]
        events = await _parse(session, chunks)
        assert events == [(None, "one"), ("e", "two")]

    async def test_comments_ids_and_multiline_data(self, session: aiohttp.ClientSession) -> None:
        body = b": keepalive\nid: 7\nretry: 10\ndata: a\ndata: b\n\n"
        assert await _parse(session, [body]) == [(None, "a\nb")]

    async def test_unterminated_last_event_is_yielded(self, session: aiohttp.ClientSession) -> None:
        assert await _parse(session, [b"data: 1\n\ndata: 2"]) == [(None, "1"), (None, "2")]


class TestRaiseForUpstreamStatus:
    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (400, UpstreamRejected),
            (404, UpstreamNotFound),
            (408, UpstreamTimeout),
            (429, UpstreamRateLimited),
            (500, UpstreamFailed),
            (503, UpstreamOverloaded),
        ],
    )
    async def test_status_maps_to_typed_error_without_body(
        self, session: aiohttp.ClientSession, status: int, error: type[Exception]
    ) -> None:
        runner, url = await _serve_bytes([f"upstream says {CANARY}".encode()], status)
        try:
            async with session.get(url) as response:
                with pytest.raises(error) as caught:
                    await raise_for_upstream_status("up", response)
                assert response.content.at_eof()
        finally:
            await runner.cleanup()
        assert caught.value.upstream_status == status  # type: ignore[attr-defined]
        assert CANARY not in f"{caught.value} {caught.value!r} {caught.value.args}"

    async def test_2xx_passes(self, session: aiohttp.ClientSession) -> None:
        runner, url = await _serve_bytes([b"ok"])
        try:
            async with session.get(url) as response:
                await raise_for_upstream_status("up", response)
                assert await response.read() == b"ok"
        finally:
            await runner.cleanup()


class TestParseJsonObject:
    def test_invalid_json_raises_without_context(self) -> None:
        with pytest.raises(UpstreamFailed) as caught:
            parse_json_object("up", b"{" + CANARY.encode())
        assert caught.value.__cause__ is None
        assert caught.value.__context__ is None

    def test_non_object_is_refused(self) -> None:
        with pytest.raises(UpstreamFailed):
            parse_json_object("up", b"[1, 2]")


class TestMapTransportErrors:
    async def test_connection_refused_is_unavailable(self, session: aiohttp.ClientSession) -> None:
        url = f"http://127.0.0.1:{_closed_port()}/"
        with pytest.raises(UpstreamUnavailable) as caught:
            async with map_transport_errors("up"), session.get(url):
                pass
        assert caught.value.__cause__ is None

    async def test_timeout_is_upstream_timeout(self) -> None:
        with pytest.raises(UpstreamTimeout):
            async with map_transport_errors("up"):
                raise TimeoutError


class TestOriginUrl:
    @pytest.mark.parametrize(
        "base", ["http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/"]
    )
    def test_trailing_slash_and_v1_are_dropped(self, base: str) -> None:
        assert origin_url(base) == "http://h:8000"

    def test_a_path_prefix_is_kept(self) -> None:
        assert origin_url("http://h/openai/") == "http://h/openai"
