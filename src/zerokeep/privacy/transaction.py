"""One unit of work for a change of privacy state, then the policy cache is dropped.

The drop happens after the commit: done before, a concurrent call could re-cache the old
state for up to a second (DESIGN.md invariant 4).

    async with policy_change(state) as session:
        await privacy_service.update(session, actor, organization, role, changes)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.db import unit_of_work
from zerokeep.state import AppState


@asynccontextmanager
async def policy_change(state: AppState) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(state.sessions) as session:
        yield session
    state.policy_changed()
