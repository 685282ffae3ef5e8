"""FastAPI dependencies shared by the JSON routes: app state, sessions, API-key auth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.auth.context import AuthContext
from zerokeep.db import unit_of_work
from zerokeep.errors import PermissionDenied, ServiceUnavailable
from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.decision import DecisionReason, decide
from zerokeep.state import AppState


class StatefulBlocked(PermissionDenied):
    code = "stateful_blocked"
    default_message = (
        "This organization blocks stateful APIs (strict ZDR): files, batch jobs, agents, "
        "conversations and libraries store data by design and are outside Zero Data Retention. "
        "An owner or admin can allow them in the Privacy settings (stateful_policy)."
    )


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


async def require_stateful(
    context: Annotated[AuthContext, Depends(require_api_key)],
) -> AuthContext:
    """API-key auth for a stateful route, refused (403) for an organization that blocks them."""
    decision = decide(context.policy, EndpointClass.STATEFUL)
    if not decision.is_allowed:
        if decision.reason is DecisionReason.POLICY_UNAVAILABLE:
            raise ServiceUnavailable("The policy store is unreachable; retry shortly.")
        raise StatefulBlocked()
    return context


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ApiKeyDep = Annotated[AuthContext, Depends(require_api_key)]
StatefulDep = Annotated[AuthContext, Depends(require_stateful)]
