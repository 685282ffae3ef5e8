"""ScriptedUpstream: a real HTTP server whose answers each test scripts, and which records requests.

FakeUpstream (the retention audit's double) answers by model name; fidelity and routing tests need
exact upstream behaviours instead (a given status with a given error code, a `Retry-After`, a
stream whose deltas repeat the tool name, a hang, a dropped connection). Replies are queued per
path; the last reply of a path repeats.

    with ScriptedUpstream() as upstream:
        upstream.reply("/v1/chat/completions", Reply.json({"error": {...}}, status=429,
                                                           headers={"Retry-After": "7"}))
        ...
        assert upstream.bodies("/v1/chat/completions")[-1]["model"] == "m"
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    events: tuple[bytes, ...] | None = None  # an SSE stream: each item is written as is
    is_hang: bool = False  # never answer (until the server stops)
    is_drop: bool = False  # close the connection without an answer

    @staticmethod
    def json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return Reply(status, orjson.dumps(data), headers=headers or {})

    @staticmethod
    def sse(chunks: list[dict[str, Any]], *, done: bool = True) -> Reply:
        frames = [b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks]
        if done:
            frames.append(b"data: [DONE]\n\n")
        return Reply(content_type="text/event-stream", events=tuple(frames))

    @staticmethod
    def hang() -> Reply:
        return Reply(is_hang=True)

    @staticmethod
    def drop() -> Reply:
        return Reply(is_drop=True)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedUpstream:
    def __init__(self) -> None:
        self.port = 0
        self._replies: dict[str, list[Reply]] = defaultdict(list)
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply(self, path: str, *replies: Reply) -> None:
        """Queue replies for `path` (e.g. "/v1/chat/completions"), replacing earlier ones."""
        with self._lock:
            self._replies[path] = list(replies)

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [item for item in self._received if path is None or item.path == path]

    def bodies(self, path: str) -> list[Any]:
        return [item.body for item in self.received(path)]

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self._received.clear()

    def __enter__(self) -> ScriptedUpstream:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("ScriptedUpstream did not start within 10 s")
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        loop.run_until_complete(self._serve())
        ready.set()
        loop.run_forever()
        loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body: Any
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            body = {
                name: (value if isinstance(value, str) else f"<file {value.filename}>")
                for name, value in form.items()
            }
        else:
            raw = await request.read()
            try:
                body = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                body = raw
        with self._lock:
            self._received.append(Received(request.path, dict(request.headers), body))
            queue = self._replies.get(request.path) or [Reply.json({"error": "unscripted"}, 599)]
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.is_hang:
            assert self._stopping is not None
            await self._stopping.wait()
        if reply.is_drop:
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError
        if reply.events is not None:
            response = web.StreamResponse(
                status=reply.status, headers={"Content-Type": reply.content_type, **reply.headers}
            )
            await response.prepare(request)
            for frame in reply.events:
                await response.write(frame)
            await response.write_eof()
            return response
        return web.Response(
            status=reply.status,
            body=reply.body,
            headers={"Content-Type": reply.content_type, **reply.headers},
        )
