"""FastAPI dependencies shared by the JSON routes: app state, sessions, API-key auth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.auth.context import AuthContext
from zerokeep.db import unit_of_work
from zerokeep.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.zerokeep
    return state


async def get_session(
    state: Annotated[AppState, Depends(get_state)],
) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(state.sessions) as session:
        yield session


async def require_api_key(
    request: Request, state: Annotated[AppState, Depends(get_state)]
) -> AuthContext:
    return await state.gateway.authenticator.authenticate(request.headers.get("authorization"))


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ApiKeyDep = Annotated[AuthContext, Depends(require_api_key)]
