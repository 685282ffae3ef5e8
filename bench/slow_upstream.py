"""A Mistral-shaped streaming upstream that holds every stream open, for the memory benchmark.

POST /v1/chat/completions answers with one SSE chunk, then waits until POST /release (or
`--hold` seconds, whichever comes first), then sends `data: [DONE]` and ends the stream.
GET /stats reports how many streams are open now. The process exits by itself after
`--lifetime` seconds, so a forgotten instance cannot linger.

    python bench/slow_upstream.py --port 9100 --hold 60 --lifetime 600
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from aiohttp import web

CHUNK = (
    b'data: {"id":"cmpl-slow","object":"chat.completion.chunk","created":1700000000,'
    b'"model":"mistral-small-latest","choices":[{"index":0,'
    b'"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}\n\n'
)
DONE = b"data: [DONE]\n\n"

RELEASE = web.AppKey("release", asyncio.Event)
HOLD = web.AppKey("hold", float)
OPEN = web.AppKey("open", list)  # one-element list: a mutable counter


async def chat(request: web.Request) -> web.StreamResponse:
    await request.read()
    app = request.app
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    await response.write(CHUNK)
    app[OPEN][0] += 1
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app[RELEASE].wait(), app[HOLD])
        await response.write(DONE)
        await response.write_eof()
    finally:
        app[OPEN][0] -= 1
    return response


async def release(request: web.Request) -> web.Response:
    request.app[RELEASE].set()
    return web.json_response({"open": request.app[OPEN][0]})


async def stats(request: web.Request) -> web.Response:
    return web.json_response({"open": request.app[OPEN][0]})


async def main(port: int, hold: float, lifetime: float) -> None:
    app = web.Application()
    app[RELEASE] = asyncio.Event()
    app[HOLD] = hold
    app[OPEN] = [0]
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/release", release)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=4096)
    await site.start()
    try:
        await asyncio.sleep(lifetime)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hold", type=float, default=60.0, help="longest wait for /release")
    parser.add_argument("--lifetime", type=float, default=600.0, help="exit after this long")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.port, args.hold, args.lifetime))
