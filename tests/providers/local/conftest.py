"""Fixtures for the local provider tests: one provider (and its loaded models) per session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from zerokeep.providers.local import LocalConfig, LocalProvider


@pytest.fixture(scope="session")
async def provider() -> AsyncIterator[LocalProvider]:
    local = LocalProvider(LocalConfig(max_concurrency=1, queue_size=4))
    yield local
    await local.aclose()
