"""A self-contained gateway for the audit: the real app under uvicorn in a thread, on the
configured (or an ephemeral) data dir and database, talking to the audit's fake upstream.
The tests run their live servers on it too (tests/harness.py), so the audit and the tests share
one instance, one canary scanner (canary.py) and one traffic kit (traffic.py, failures.py).

    with AuditInstance(settings, fake).start() as instance:
        orgs = instance.create_organizations("retention-audit-20260101T000000Z")
        instance.run(some_coroutine())          # on the server's own event loop
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.types import ASGIApp

from zerokeep import invalidation
from zerokeep.api_key import service as api_key_service
from zerokeep.app import create_app
from zerokeep.audit.actions import CLI
from zerokeep.config import ModelSettings, ProviderSettings, Settings
from zerokeep.db import create_engine, unit_of_work
from zerokeep.kit.clock import FrozenClock
from zerokeep.kit.threaded_server import ThreadedServer
from zerokeep.migrations import runner as migrations
from zerokeep.organization import service as organization_service
from zerokeep.providers.base import Provider
from zerokeep.retention.catalogue import Route
from zerokeep.retention.policy import Plan
from zerokeep.retention_audit.fake_upstream import FakeUpstream
from zerokeep.state import AppState
from zerokeep.zdr_request import switch as zdr_switch

T = TypeVar("T")
AUDIT_MODEL = "audit-model"
# Model names the fake upstream turns into failures (see fake_upstream.server).
FAILING_MODELS = ("fail-500-echo", "fail-400-echo", "fail-429", "hang", "stream-hold", "bad-json")
UPSTREAM_TIMEOUT_SECONDS = 1.0
SELF_CONTAINED_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Hooks:
    """Test seams: wrap the ASGI app (e.g. a leaking middleware), or alter the started state."""

    wrap_app: Callable[[ASGIApp, Settings], ASGIApp] | None = None
    after_start: Callable[[AppState], None] | None = None


@dataclass(frozen=True, slots=True, repr=False)
class AuditOrganization:
    role: str
    organization_id: str
    api_key: str

    def __repr__(self) -> str:
        return f"<AuditOrganization {self.role} {self.organization_id}>"


def instance_settings(base: Settings, fake: FakeUpstream) -> Settings:
    """The deployment's settings with the fake upstream as its only provider, and a small body
    limit so the oversized-body path stays cheap."""
    provider = ProviderSettings(
        name="audit-fake",
        kind="mistral",
        base_url=fake.base_url,
        api_key="audit-upstream-key",
        retention="none",
        timeout_seconds=UPSTREAM_TIMEOUT_SECONDS,
    )
    every_route = list(Route)
    models = [
        ModelSettings(name=name, provider=provider.name, routes=every_route)
        for name in (AUDIT_MODEL, *FAILING_MODELS)
    ]
    return base.model_copy(
        update={
            "providers": [provider],
            "models": models,
            "max_body_bytes": SELF_CONTAINED_MAX_BODY_BYTES,
        }
    )


class AuditInstance:
    def __init__(
        self,
        settings: Settings,
        hooks: Hooks | None = None,
        providers: dict[str, Provider] | None = None,
    ) -> None:
        self.settings = settings
        self.hooks = hooks or Hooks()
        self.providers = providers
        self.clock = FrozenClock(datetime.now(UTC))
        self._server: ThreadedServer | None = None
        self._app: Any = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return self._server.base_url

    @property
    def state(self) -> AppState:
        state: AppState = self._app.state.zerokeep
        return state

    def start(self) -> AuditInstance:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(_migrate(self.settings.resolved_database_url))
        self._app = create_app(
            self.settings, clock=self.clock, providers=self.providers, run_jobs=False
        )
        served: ASGIApp = self._app
        if self.hooks.wrap_app is not None:
            served = self.hooks.wrap_app(self._app, self.settings)
        self._server = ThreadedServer(served, name="audit-gateway").start()
        if self.hooks.after_start is not None:
            self.hooks.after_start(self.state)
        return self

    def __enter__(self) -> AuditInstance:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run a coroutine on the server's loop, where its engine and batchers live."""
        assert self._server is not None
        return self._server.run(coroutine, timeout)

    def flush(self) -> None:
        """Write pending usage and archive records now (they are batched off the hot path)."""
        gateway = self.state.gateway
        self.run(gateway.usage.batcher.flush())
        self.run(gateway.archive.batcher.flush())

    def create_organizations(self, prefix: str) -> dict[str, AuditOrganization]:
        """The ZDR org, the non-ZDR control org and a ZDR org limited to 1 request a minute."""
        return self.run(self._create_organizations(prefix))

    async def _create_organizations(self, prefix: str) -> dict[str, AuditOrganization]:
        created: dict[str, AuditOrganization] = {}
        for role, is_zdr, requests_per_minute in (
            ("zdr", True, None),
            ("control", False, None),
            ("rate-limited", True, 1),
        ):
            organization_id, key = await self.create_organization(
                f"{prefix}-{role}", zdr=is_zdr, requests_per_minute=requests_per_minute
            )
            created[role] = AuditOrganization(role, organization_id, key)
        return created

    async def create_organization(
        self,
        name: str,
        *,
        plan: Plan = Plan.SCALE,
        zdr: bool = False,
        requests_per_minute: int | None = None,
        key_name: str = "retention-audit",
    ) -> tuple[str, str]:
        """One organization with one API key: (organization id, plaintext key). On the loop."""
        state = self.state
        async with unit_of_work(state.sessions) as session:
            organization = await organization_service.create(session, CLI, name=name, plan=plan)
            if zdr:
                await zdr_switch.set_zdr(session, CLI, organization, enabled=True)
            organization.requests_per_minute = requests_per_minute
            _, key = await api_key_service.create(
                session, CLI, state.keys.api_key_hmac, organization, name=key_name
            )
            invalidation.policy_changed(session)  # the rate limit above is not audited
        return organization.id, key


async def _migrate(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()
