"""Shared fixtures: a migrated database on SQLite and PostgreSQL, a fake upstream, a live server.

Migrations run once per test run (per backend, per xdist worker): `migrated_database_url` hands
each test a copy of a database migrated to head (a file copy on SQLite, `CREATE DATABASE ...
TEMPLATE` on PostgreSQL). `empty_database_url` stays for the tests that run the migrations
themselves (tests/migrations, `zerokeep db upgrade`).

PostgreSQL tests use the server on 127.0.0.1:5432 when it is reachable and skip with a reason
when it is not; in CI (CI=true) an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.config import ModelSettings, ProviderSettings, Settings
from zerokeep.retention.catalogue import Route

IN_CI = os.environ.get("CI") == "true"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = os.environ.get(
    "ZEROKEEP_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
UPSTREAM_KEY = "upstream-secret-key"


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if postgres_reachable():
        return
    message = f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}"
    if IN_CI:
        pytest.fail(message + " (CI=true: PostgreSQL tests must run, not skip)")
    pytest.skip(message + "; start it to run the PostgreSQL half of the suite")


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(template: str | None = None) -> str:
    """A new database with a unique name (unique across xdist workers too), optionally a copy
    of `template` (which must have no open connections)."""
    name = f"zerokeep_test_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"{copy_of}'))
    return name


def drop_postgres_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def postgres_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_postgres()
    return str(request.param)


@pytest.fixture()
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database (not migrated) for one test."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'zerokeep.db'}"
        return
    name = create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        drop_postgres_database(name)


async def _migrate(url: str) -> None:
    from zerokeep.db import create_engine
    from zerokeep.migrations import runner

    engine = create_engine(url)
    try:
        await runner.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a SQLite file path, or a PostgreSQL name."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "zerokeep.db"
        asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
        yield str(path)
        return
    name = create_postgres_database()
    try:
        asyncio.run(_migrate(postgres_url(name)))
        yield name
    finally:
        drop_postgres_database(name)


def copy_of_template(backend: str, template: str, directory: Path) -> tuple[str, str | None]:
    """(url, PostgreSQL database name or None) of a fresh copy of the migrated template."""
    if backend == "sqlite":
        target = directory / "zerokeep.db"
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}", None
    name = create_postgres_database(template=template)
    return postgres_url(name), name


@pytest.fixture()
def migrated_database_url(backend: str, migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own for one test, already at the head revision."""
    url, name = copy_of_template(backend, migrated_template, tmp_path / "db")
    try:
        yield url
    finally:
        if name is not None:
            drop_postgres_database(name)


@pytest.fixture(scope="session")
def fake_upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as fake:
        yield fake


def gateway_models() -> list[ModelSettings]:
    every_route = list(Route)
    models = [
        ModelSettings(name="test-model", provider="fake-mistral", routes=every_route),
        ModelSettings(
            name="retaining-model",
            provider="fake-openai",
            upstream_model="test-model",
            routes=[Route.CHAT_COMPLETIONS, Route.EMBEDDINGS],
        ),
    ]
    for behaviour in (
        "fail-500-echo",
        "fail-400-echo",
        "fail-429",
        "hang",
        "stream-hold",
        "bad-json",
    ):
        models.append(ModelSettings(name=behaviour, provider="fake-mistral", routes=every_route))
    return models


def gateway_settings(
    data_dir: Path, database_url: str, fake: FakeUpstream, **extra: object
) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-" + "x" * 40,
        providers=[
            ProviderSettings(
                name="fake-mistral",
                kind="mistral",
                base_url=fake.base_url,
                api_key=UPSTREAM_KEY,
                retention="none",
                timeout_seconds=0.5,
            ),
            ProviderSettings(
                name="fake-openai",
                kind="openai_compatible",
                base_url=fake.openai_base_url,
                api_key=UPSTREAM_KEY,
                retention=30,
                timeout_seconds=5,
            ),
        ],
        models=gateway_models(),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def live_server(
    backend: str,
    migrated_template: str,
    fake_upstream: FakeUpstream,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """One running gateway per backend, migrated to head, talking to the fake upstream."""
    data_dir = tmp_path_factory.mktemp(f"live-{backend}")
    url, database = copy_of_template(backend, migrated_template, data_dir)
    server = LiveServer(gateway_settings(data_dir, url, fake_upstream)).start()
    try:
        yield server
    finally:
        server.stop()
        if database is not None:
            drop_postgres_database(database)
