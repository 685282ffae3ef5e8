"""A small Mistral-like server for the chat client's edge cases, in its own thread.

The chat request's `model` picks what it does:
- "plain": streams "Hello there" with no `zerokeep-retention` header (as api.mistral.ai does)
- "archive": the same, stamped `zerokeep-retention: archive; days=30`
- "busy": 503 with Retry-After: 7, in the Mistral error shape
- "cut": one piece, then an error event mid-stream
`privacy` is what GET /v1/organization/privacy answers (None: 404, as Mistral).
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
from typing import Any

from aiohttp import web


class MistralLike:
    def __init__(self, privacy: dict[str, Any] | None = None) -> None:
        self.privacy = privacy
        self.requests: collections.Counter[str] = collections.Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MistralLike:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/organization/privacy", self._privacy)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _privacy(self, request: web.Request) -> web.Response:
        self.requests[request.path] += 1
        if self.privacy is None:
            return web.json_response({"detail": "Not Found"}, status=404)
        return web.json_response(self.privacy)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        model = (await request.json())["model"]
        if model == "busy":
            error = {
                "object": "error",
                "message": "The model is busy; retry shortly.",
                "type": "model_busy",
                "param": None,
                "code": None,
            }
            return web.json_response(error, status=503, headers={"Retry-After": "7"})
        headers = {"Content-Type": "text/event-stream"}
        if model == "archive":
            headers["zerokeep-retention"] = "archive; days=30"
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        pieces = ["Hello", " there"] if model != "cut" else ["Hel"]
        for piece in pieces:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        if model == "cut":
            error = {
                "object": "error",
                "message": "The upstream failed.",
                "type": "upstream_failed",
            }
            await response.write(b"data: " + json.dumps(error).encode() + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        return response
