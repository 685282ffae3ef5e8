"""An ASGI app under uvicorn on 127.0.0.1, in a thread with its own event loop.

For the retention audit's self-contained mode and for tests: callers talk to it over real
HTTP and run coroutines on its loop (where the app's engine and batchers live).

    server = ThreadedServer(app, name="audit-gateway").start()
    server.run(some_coroutine())
    server.stop()
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn
from starlette.types import ASGIApp

T = TypeVar("T")


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready.set()


class ThreadedServer:
    def __init__(self, app: ASGIApp, *, name: str = "threaded-server") -> None:
        self._config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
        self._name = name
        self._loop = asyncio.new_event_loop()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> ThreadedServer:
        ready = threading.Event()
        self._server = _Server(self._config, ready)
        self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
        self._thread.start()
        if not ready.wait(timeout=timeout):
            raise RuntimeError(f"{self._name} did not start within {timeout:.0f} s")
        return self

    def _serve(self) -> None:
        assert self._server is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve(sockets=[self._socket]))

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()
        self._socket.close()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)
