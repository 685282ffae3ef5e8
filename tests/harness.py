"""LiveServer: the real app under uvicorn on 127.0.0.1, in its own thread and event loop.

It is the retention audit's instance (zerokeep.retention_audit.instance.AuditInstance), so the
tests and the product's audit start, seed and drive a gateway the same way. Tests talk to it
over real HTTP (the official SDKs, httpx) and reach its state through `server.run(coro)`, which
executes a coroutine on the server's own loop; its log records also go to `log_file` (JSON).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from zerokeep.config import Settings
from zerokeep.observability.logging_setup import EventFormatter
from zerokeep.providers.base import Provider
from zerokeep.retention.policy import Plan
from zerokeep.retention_audit.instance import AuditInstance


class LiveServer(AuditInstance):
    def __init__(self, settings: Settings, providers: dict[str, Provider] | None = None) -> None:
        super().__init__(settings, providers=providers)
        self.log_file = settings.data_dir / "zerokeep.log"
        self._log_handler: logging.Handler | None = None

    def start(self) -> LiveServer:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._attach_log_file()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
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

    def new_organization(
        self,
        *,
        plan: Plan = Plan.SCALE,
        zdr: bool = False,
        name: str | None = None,
        requests_per_minute: int | None = None,
    ) -> tuple[str, str]:
        """Create an organization with one key; returns (organization_id, plaintext key)."""
        return self.run(
            self.create_organization(
                name or f"Org {uuid.uuid4().hex[:8]}",
                plan=plan,
                zdr=zdr,
                requests_per_minute=requests_per_minute,
                key_name="test",
            )
        )


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]
