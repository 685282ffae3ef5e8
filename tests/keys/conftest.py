"""A migrated database (SQLite and PostgreSQL) and a key service whose master key file lives in
the test's data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.db import create_engine, session_factory
from zerokeep.keys import KeyService
from zerokeep.keys.master import KEYS_DIR_NAME, MASTER_FILE_NAME, open_key_file

LEGACY_KEY = b"L" * 32


@pytest.fixture()
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture()
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture()
def master_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / KEYS_DIR_NAME / MASTER_FILE_NAME


def new_service(master_path: Path) -> KeyService:
    """A key service as a separate process would build it: its own cache, the file re-read."""
    return KeyService(open_key_file(master_path), legacy_wrapping_key=LEGACY_KEY)


@pytest.fixture()
def keys(master_path: Path) -> KeyService:
    return new_service(master_path)
