"""A live gateway whose models are spread over several deployments, each a real HTTP upstream.

One ScriptedUpstream plays several deployments (they differ by upstream model name), so a test
can script "the first call fails, the next succeeds" whatever deployment comes first. A dead
port plays an unreachable deployment; a second upstream declares it retains data (30 days).

- `pair`: deployments `a` and `b` (weight 1 each) on `shared`
- `dead-first`: a deployment on a closed port, then `b` on `shared`
- `trio`: `a`, `b` and `c` on `shared`
- `mixed`: `r` on the retaining upstream (weight 100), then `a` on `shared` (weight 1)
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.scripted import ScriptedUpstream
from tests.gateway.fidelity.conftest import start_live
from tests.harness import LiveServer
from zerokeep.config import (
    DeploymentSettings,
    ModelSettings,
    ProviderSettings,
    RoutingSettings,
    Settings,
)
from zerokeep.gateway.model_router import Deployment
from zerokeep.retention.catalogue import Route

CHAT_ROUTES = [Route.CHAT_COMPLETIONS, Route.EMBEDDINGS]


class InOrder:
    """Stands in for the router's random.Random: deployments come in declaration order."""

    def choices(self, pool: list[Deployment], weights: Any = None) -> list[Deployment]:
        return [pool[0]]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def shared() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as upstream:
        yield upstream


@pytest.fixture(scope="session")
def retaining() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as upstream:
        yield upstream


def _provider(name: str, url: str, retention: Any = "none") -> ProviderSettings:
    return ProviderSettings(
        name=name,
        kind="mistral",
        base_url=url,
        api_key="k",
        retention=retention,
        timeout_seconds=0.5,
    )


def _deployments(*names: str, provider: str = "shared") -> list[DeploymentSettings]:
    return [DeploymentSettings(provider=provider, upstream_model=name) for name in names]


@pytest.fixture(scope="session")
def routed(
    shared: ScriptedUpstream,
    retaining: ScriptedUpstream,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("routing")
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'zerokeep.db'}",
        secret_key="test-secret-" + "x" * 40,
        providers=[
            _provider("shared", shared.base_url),
            _provider("dead", f"http://127.0.0.1:{_closed_port()}"),
            _provider("retaining", retaining.base_url, retention=30),
        ],
        models=[
            ModelSettings(name="pair", deployments=_deployments("a", "b"), routes=CHAT_ROUTES),
            ModelSettings(
                name="dead-first",
                deployments=[
                    DeploymentSettings(provider="dead", upstream_model="x"),
                    *_deployments("b"),
                ],
                routes=CHAT_ROUTES,
            ),
            ModelSettings(name="trio", deployments=_deployments("a", "b", "c"), routes=CHAT_ROUTES),
            ModelSettings(
                name="mixed",
                deployments=[
                    DeploymentSettings(provider="retaining", upstream_model="r", weight=100),
                    DeploymentSettings(provider="shared", upstream_model="a", weight=1),
                ],
                routes=CHAT_ROUTES,
            ),
        ],
        routing=RoutingSettings(max_failovers=1, cooldown_seconds=60),
    )
    server = start_live(settings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def gateway(
    routed: LiveServer, shared: ScriptedUpstream, retaining: ScriptedUpstream
) -> LiveServer:
    """The routed gateway with fresh upstream scripts, no cool-downs, and ordered choices."""
    shared.reset()
    retaining.reset()
    router = routed.state.gateway.router
    router._random = InOrder()  # type: ignore[assignment]
    for target in router.targets():
        for deployment in target.deployments:
            deployment.cooldown_until = 0.0
    return routed
