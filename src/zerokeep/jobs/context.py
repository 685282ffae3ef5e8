"""What a running job gets: its unit of work (transactional tasks), the clock, the settings and
the process's shared parts. Built by the embedded runner or by a `zerokeep worker` process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.config import Settings
from zerokeep.keys import KeyService
from zerokeep.kit.clock import Clock

if TYPE_CHECKING:
    from zerokeep.state import AppState


@dataclass(frozen=True, slots=True)
class JobEnvironment:
    """The parts of a process a job may use; `state` is set inside `zerokeep serve` only."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    keys: KeyService
    state: AppState | None = None


class NotTransactional(RuntimeError):
    """`ctx.session` used by a task declared with transactional=False."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """`session` is the job's one unit of work: the runner commits it together with the job's
    completion, so an effect written there happens once even if the process dies mid-job."""

    job_id: str
    name: str
    attempt: int
    environment: JobEnvironment
    transaction: AsyncSession | None = None
    # When the job was due: for a periodic task, the start of the period this run is for.
    scheduled_for: datetime | None = None

    @property
    def session(self) -> AsyncSession:
        if self.transaction is None:
            raise NotTransactional(f"{self.name} is not transactional: use ctx.sessions")
        return self.transaction

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.environment.sessions

    @property
    def clock(self) -> Clock:
        return self.environment.clock

    @property
    def settings(self) -> Settings:
        return self.environment.settings

    @property
    def engine(self) -> AsyncEngine:
        return self.environment.engine

    @property
    def keys(self) -> KeyService:
        return self.environment.keys

    @property
    def state(self) -> AppState | None:
        return self.environment.state
