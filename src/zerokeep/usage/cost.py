"""What usage cost: tokens per organization, key and model, priced from the configuration.

Prices are configuration (`input_price_per_million`, `output_price_per_million` on a
`[[models]]` entry), applied when usage is read, so a price change re-prices history; a model
without a price shows no cost.

    prices = Prices.from_models(settings.models)
    lines = await cost_lines(session, prices, organization_id, since=month_start(now))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.config import ModelSettings
from zerokeep.models import UsageRecord


@dataclass(frozen=True, slots=True)
class Price:
    input_per_million: float
    output_per_million: float

    def of(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1_000_000


class Prices:
    def __init__(self, by_model: dict[str, Price]) -> None:
        self._by_model = by_model

    @classmethod
    def from_models(cls, models: list[ModelSettings]) -> Prices:
        return cls(
            {
                model.name: Price(
                    model.input_price_per_million or 0.0, model.output_price_per_million or 0.0
                )
                for model in models
                if model.input_price_per_million is not None
                or model.output_price_per_million is not None
            }
        )

    def cost(self, model: str | None, prompt_tokens: int, completion_tokens: int) -> float | None:
        price = self._by_model.get(model) if model is not None else None
        return price.of(prompt_tokens, completion_tokens) if price is not None else None


@dataclass(frozen=True, slots=True)
class CostLine:
    organization_id: str
    api_key_id: str | None
    model: str | None
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # None: the model has no price in the configuration


async def cost_lines(
    session: AsyncSession,
    prices: Prices,
    organization_id: str | None = None,
    since: datetime | None = None,
) -> list[CostLine]:
    """Requests, tokens and cost per organization, key and model."""
    stmt = select(
        UsageRecord.organization_id,
        UsageRecord.api_key_id,
        UsageRecord.model,
        func.count(UsageRecord.id),
        func.sum(UsageRecord.prompt_tokens),
        func.sum(UsageRecord.completion_tokens),
    ).group_by(UsageRecord.organization_id, UsageRecord.api_key_id, UsageRecord.model)
    if organization_id is not None:
        stmt = stmt.where(UsageRecord.organization_id == organization_id)
    if since is not None:
        stmt = stmt.where(UsageRecord.created_at >= since)
    stmt = stmt.order_by(UsageRecord.organization_id, UsageRecord.api_key_id, UsageRecord.model)
    lines = []
    for row in (await session.execute(stmt)).all():
        prompt, completion = int(row[4] or 0), int(row[5] or 0)
        lines.append(
            CostLine(
                organization_id=row[0],
                api_key_id=row[1],
                model=row[2],
                requests=int(row[3]),
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost=prices.cost(row[2], prompt, completion),
            )
        )
    return lines
