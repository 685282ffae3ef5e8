"""The calling organization's API keys and token budget, as JSON (`/v1/organization/...`).

Owners and admins see and revoke every key of the organization and set its monthly budget;
members see and revoke their own keys. A new key is bound to the calling user (an operator key
from the CLI creates operator keys). Another organization's key id is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter

from zerokeep.api_key import service as api_key_service
from zerokeep.api_key.limits import KeyLimits
from zerokeep.api_key.schemas import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    Budget,
    BudgetUpdate,
)
from zerokeep.auth import access
from zerokeep.db import unit_of_work
from zerokeep.dependencies import ApiKeyDep, SessionDep, StateDep
from zerokeep.errors import NotFound, PermissionDenied
from zerokeep.organization import budget as organization_budget
from zerokeep.organization import service as organization_service

router = APIRouter(prefix="/v1/organization", tags=["api keys"])


@router.get("/api-keys")
async def list_keys(context: ApiKeyDep, session: SessionDep) -> ApiKeyList:
    role = await access.role_of(session, context)
    only_user = None if role.can_manage_members else context.user_id
    keys = await api_key_service.list_for(session, context.organization_id, only_user)
    return ApiKeyList(data=[ApiKey.model_validate(key) for key in keys])


@router.post("/api-keys", status_code=201)
async def create_key(body: ApiKeyCreate, context: ApiKeyDep, state: StateDep) -> ApiKeyCreated:
    limits = KeyLimits(
        frozenset(body.allowed_models) if body.allowed_models is not None else None,
        body.requests_per_minute,
        body.tokens_per_minute,
        body.monthly_token_budget,
    )
    async with unit_of_work(state.sessions) as session:
        organization = await organization_service.get(session, context.organization_id)
        key, plaintext = await api_key_service.create(
            session,
            access.actor_of(context),
            state.keys.api_key_hmac,
            organization,
            name=body.name,
            user_id=context.user_id,
            limits=limits,
        )
        return ApiKeyCreated.model_validate(
            {**ApiKey.model_validate(key).model_dump(), "key": plaintext}
        )


@router.delete("/api-keys/{key_id}")
async def revoke_key(key_id: str, context: ApiKeyDep, state: StateDep) -> ApiKey:
    async with unit_of_work(state.sessions) as session:
        role = await access.role_of(session, context)
        if not role.can_manage_members:
            owned = await api_key_service.list_for(
                session, context.organization_id, context.user_id
            )
            if key_id not in {key.id for key in owned}:
                raise NotFound("No such API key.")
        key = await api_key_service.revoke(
            session, access.actor_of(context), context.organization_id, key_id
        )
        return ApiKey.model_validate(key)


@router.get("/budget")
async def get_budget(context: ApiKeyDep, session: SessionDep) -> Budget:
    organization = await organization_service.get(session, context.organization_id)
    return Budget(monthly_token_budget=organization.monthly_token_budget)


@router.put("/budget")
async def set_budget(body: BudgetUpdate, context: ApiKeyDep, state: StateDep) -> Budget:
    """Owner or admin: the organization's monthly token budget (null removes it)."""
    async with unit_of_work(state.sessions) as session:
        if not (await access.role_of(session, context)).can_manage_privacy:
            raise PermissionDenied("Only an owner or admin can change the token budget.")
        organization = await organization_service.get(session, context.organization_id)
        await organization_budget.set_monthly_token_budget(
            session, access.actor_of(context), organization, body.monthly_token_budget
        )
        return Budget(monthly_token_budget=organization.monthly_token_budget)
