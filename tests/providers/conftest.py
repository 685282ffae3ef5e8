"""Fixtures for provider tests: a FakeUpstream per test and an aiohttp session."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

# `tests.fakes` is imported by package name; pytest puts only test directories on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes import FakeUpstream  # noqa: E402
from zerokeep.providers.base import ProviderInfo  # noqa: E402
from zerokeep.retention.catalogue import Route  # noqa: E402


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
