"""AppState: everything the running app holds, built in the lifespan, reached via request.app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.blobs import BlobStore
from zerokeep.config import Settings
from zerokeep.keys import KeyService
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
    key_service: KeyService
    blob_store: BlobStore
    http: aiohttp.ClientSession
    providers: dict[str, Provider]
    gateway: Gateway
    # The sessions' named after-commit hooks (db.session_factory), filled in the lifespan.
    hooks: dict[str, Callable[[], None]] = field(default_factory=dict)

    def policy_changed(self) -> None:
        """The one "policy changed" action, run after a commit that changed a plan, privacy
        state or key (the invalidation.POLICY_CHANGED hook): applies on the next request."""
        self.gateway.authenticator.invalidate_all()
