"""A live gateway (SQLite, migrated to head) in front of two scripted upstreams.

`up-mistral` speaks the Mistral dialect, `up-openai` the OpenAI dialect; both are real HTTP
servers whose answers each test scripts (tests/fakes/scripted.py). Models:

- `m-mistral` (alias `m-mistral-latest`): every route, on up-mistral; the default model of
  OCR and speech
- `m-openai`: the OpenAI-dialect routes, on up-openai (upstream name `up-model`)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mistralai.client import Mistral

from tests.fakes.scripted import ScriptedUpstream
from tests.harness import LiveServer
from zerokeep.config import ModelSettings, ProviderSettings, Settings
from zerokeep.providers.openai_compatible import OPENAI_ROUTES
from zerokeep.retention.catalogue import Route

UPSTREAM_KEY = "scripted-upstream-key"


@pytest.fixture(scope="session")
def mistral_upstream() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as upstream:
        yield upstream


@pytest.fixture(scope="session")
def openai_upstream() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as upstream:
        yield upstream


def fidelity_settings(
    data_dir: Path, mistral: ScriptedUpstream, openai: ScriptedUpstream, **extra: Any
) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'zerokeep.db'}",
        secret_key="test-secret-" + "x" * 40,
        providers=[
            ProviderSettings(
                name="up-mistral",
                kind="mistral",
                base_url=mistral.base_url,
                api_key=UPSTREAM_KEY,
                timeout_seconds=2,
            ),
            ProviderSettings(
                name="up-openai",
                kind="openai_compatible",
                base_url=openai.base_url,
                api_key=UPSTREAM_KEY,
                timeout_seconds=2,
            ),
        ],
        models=[
            ModelSettings(
                name="m-mistral",
                provider="up-mistral",
                routes=list(Route),
                aliases=["m-mistral-latest"],
                function_calling=True,
                vision=True,
                max_context_length=131072,
                default_for=[Route.OCR, Route.AUDIO_SPEECH],
                input_price_per_million=2.0,
                output_price_per_million=6.0,
            ),
            ModelSettings(
                name="m-openai",
                provider="up-openai",
                upstream_model="up-model",
                routes=sorted(OPENAI_ROUTES),
            ),
        ],
        **extra,
    )


def start_live(settings: Settings) -> LiveServer:
    from zerokeep.db import create_engine
    from zerokeep.migrations import runner

    async def migrate() -> None:
        engine = create_engine(settings.resolved_database_url)
        await runner.upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return LiveServer(settings).start()


@pytest.fixture(scope="session")
def gateway(
    mistral_upstream: ScriptedUpstream,
    openai_upstream: ScriptedUpstream,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("fidelity")
    server = start_live(fidelity_settings(data_dir, mistral_upstream, openai_upstream))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def upstreams(
    mistral_upstream: ScriptedUpstream, openai_upstream: ScriptedUpstream
) -> tuple[ScriptedUpstream, ScriptedUpstream]:
    mistral_upstream.reset()
    openai_upstream.reset()
    return mistral_upstream, openai_upstream


@pytest.fixture()
def api_key(gateway: LiveServer) -> str:
    return gateway.new_organization()[1]


@pytest.fixture()
def client(gateway: LiveServer, api_key: str) -> Mistral:
    return Mistral(api_key=api_key, server_url=gateway.base_url)
