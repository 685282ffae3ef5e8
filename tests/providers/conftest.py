"""Fixtures for provider tests: a FakeUpstream per test and an aiohttp session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from tests.fakes import FakeUpstream
from zerokeep.providers.base import ProviderInfo
from zerokeep.retention.catalogue import Route


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream() as upstream:
        yield upstream


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def info() -> ProviderInfo:
    return ProviderInfo(name="test-upstream", kind="test", retention_days=None)


CANARY = "zk-canary-7f3a9c1e"
ALL_ROUTES = tuple(Route)
