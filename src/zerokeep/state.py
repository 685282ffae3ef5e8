"""AppState: everything the running app holds, built in the lifespan, reached via request.app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.archive.keyring import KeyRing
from zerokeep.config import Settings
from zerokeep.db import unit_of_work
from zerokeep.kit.clock import Clock
from zerokeep.providers.base import Provider
from zerokeep.secret import DeploymentKeys

if TYPE_CHECKING:
    # Only a type here: the gateway's routes reach the state (dependencies.py), so importing
    # the gateway at run time would make a package cycle.
    from zerokeep.gateway.pipeline import Gateway


@dataclass(slots=True)
class AppState:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    keys: DeploymentKeys
    keyring: KeyRing
    http: aiohttp.ClientSession
    providers: dict[str, Provider]
    gateway: Gateway

    def policy_changed(self) -> None:
        """Call after any change of plan, privacy state or key: applies on the next request."""
        self.gateway.authenticator.invalidate_all()

    @asynccontextmanager
    async def policy_change(self) -> AsyncIterator[AsyncSession]:
        """One unit of work for a change of privacy state, then the policy cache is dropped.

        The drop happens after the commit: done before, a concurrent call could re-cache the
        old state for up to a second (DESIGN.md invariant 4).

            async with state.policy_change() as session:
                await privacy_service.update(session, actor, organization, role, changes)
        """
        async with unit_of_work(self.sessions) as session:
            yield session
        self.policy_changed()
