"""LiveServer: the real app under uvicorn on 127.0.0.1, in its own thread and event loop.

Tests talk to it over real HTTP (the official SDKs, httpx) and reach its state through
`server.run(coro)`, which executes a coroutine on the server's own loop.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from zerokeep.api_key import service as api_key_service
from zerokeep.app import create_app
from zerokeep.audit.actions import CLI
from zerokeep.config import Settings
from zerokeep.db import unit_of_work
from zerokeep.kit.clock import FrozenClock
from zerokeep.kit.threaded_server import ThreadedServer
from zerokeep.observability.logging_setup import EventFormatter
from zerokeep.organization import service as organization_service
from zerokeep.providers.base import Provider
from zerokeep.retention.policy import Plan
from zerokeep.state import AppState
from zerokeep.zdr_request import switch as zdr_switch

T = TypeVar("T")


class TestClock(FrozenClock):
    """Starts at the real time; tests move it forward instead of sleeping."""

    def __init__(self) -> None:
        super().__init__(datetime.now(UTC))


class LiveServer:
    def __init__(self, settings: Settings, providers: dict[str, Provider] | None = None) -> None:
        self.settings = settings
        self.clock = TestClock()
        self._providers = providers
        self._server: ThreadedServer | None = None
        self.log_file = settings.data_dir / "zerokeep.log"
        self._log_handler: logging.Handler | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return self._server.base_url

    @property
    def state(self) -> AppState:
        state: AppState = self._app.state.zerokeep
        return state

    def start(self) -> LiveServer:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._attach_log_file()
        self._app = create_app(
            self.settings, clock=self.clock, providers=self._providers, run_jobs=False
        )
        self._server = ThreadedServer(self._app, name="live-server").start(timeout=30)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()

    def _attach_log_file(self) -> None:
        handler = logging.FileHandler(self.log_file)
        handler.setFormatter(EventFormatter(as_json=True))
        handler.setLevel(logging.DEBUG)
        # The server shares this process with the tests' HTTP clients (httpx, the SDKs' httpx2):
        # their log lines are the client's, not the server's, and stay out of its log file.
        handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        for name in ("uvicorn.access", "aiosqlite", "asyncio"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._log_handler = handler

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the server's loop (where its engine and batchers live)."""
        assert self._server is not None
        return self._server.run(coroutine, timeout)

    def flush(self) -> None:
        """Write pending usage and archive records now (they are batched off the hot path)."""
        gateway = self.state.gateway
        self.run(gateway.usage.batcher.flush())
        self.run(gateway.archive.batcher.flush())

    def new_organization(
        self, *, plan: Plan = Plan.SCALE, zdr: bool = False, name: str | None = None
    ) -> tuple[str, str]:
        """Create an organization with one key; returns (organization_id, plaintext key)."""
        import uuid

        async def work() -> tuple[str, str]:
            state = self.state
            async with unit_of_work(state.sessions) as session:
                org = await organization_service.create(
                    session, CLI, name=name or f"Org {uuid.uuid4().hex[:8]}", plan=plan
                )
                if zdr:
                    await zdr_switch.set_zdr(session, CLI, org, enabled=True)
                _, key = await api_key_service.create(
                    session, CLI, state.keys.api_key_hmac, org, name="test"
                )
            state.policy_changed()
            return org.id, key

        return self.run(work())


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]
