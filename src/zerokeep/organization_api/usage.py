"""GET /v1/organization/usage: the calling organization's usage per key and model, with cost."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from zerokeep.dependencies import ApiKeyDep, SessionDep, StateDep
from zerokeep.usage.budget import month_start
from zerokeep.usage.cost import Prices, cost_lines

router = APIRouter(prefix="/v1/organization", tags=["usage"])


class UsageCostLine(BaseModel):
    api_key_id: str | None
    model: str | None
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None


class UsageCost(BaseModel):
    object: str = "organization.usage"
    since: datetime
    data: list[UsageCostLine]
    total_cost: float | None


@router.get("/usage")
async def usage(context: ApiKeyDep, session: SessionDep, state: StateDep) -> UsageCost:
    """This calendar month (UTC): requests, tokens and cost per key and model."""
    since = month_start(state.clock.now())
    prices = Prices.from_models(state.settings.models)
    lines = await cost_lines(session, prices, context.organization_id, since)
    costs = [line.cost for line in lines if line.cost is not None]
    return UsageCost(
        since=since,
        data=[
            UsageCostLine(
                api_key_id=line.api_key_id,
                model=line.model,
                requests=line.requests,
                prompt_tokens=line.prompt_tokens,
                completion_tokens=line.completion_tokens,
                cost=line.cost,
            )
            for line in lines
        ],
        total_cost=sum(costs) if costs else None,
    )
