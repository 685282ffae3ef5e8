"""Monthly token budgets of keys and organizations: what is spent this month, and the check.

The spend is read with the key's authentication lookup (at most once a second per key, and only
for a key or organization that has a budget), from the usage rows of the calendar month (UTC).
Usage rows are written in batches, so a budget can be overrun by about a second of traffic.

    budget = MonthlyBudget(key_budget=1_000_000, key_spent=999_000)
    budget.check(now)   # raises BudgetSpent once a budget is spent
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.errors import RateLimited
from zerokeep.models import UsageRecord


class BudgetSpent(RateLimited):
    code = "monthly_budget_spent"


@dataclass(frozen=True, slots=True)
class MonthlyBudget:
    key_budget: int | None = None
    key_spent: int = 0
    organization_budget: int | None = None
    organization_spent: int = 0

    def check(self, now: datetime) -> None:
        if self.key_budget is not None and self.key_spent >= self.key_budget:
            raise BudgetSpent(
                _seconds_to_next_month(now),
                {},
                "This API key's monthly token budget is spent; it renews on the 1st of the "
                "month (UTC). Ask an admin to raise it, or use another key.",
            )
        if (
            self.organization_budget is not None
            and self.organization_spent >= self.organization_budget
        ):
            raise BudgetSpent(
                _seconds_to_next_month(now),
                {},
                "Your organization's monthly token budget is spent; it renews on the 1st of "
                "the month (UTC). An admin can raise it.",
            )


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _seconds_to_next_month(now: datetime) -> int:
    start = month_start(now)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else (start.replace(month=start.month + 1))
    )
    return max(1, int((following - now.astimezone(UTC)).total_seconds()))


async def spent_this_month(
    session: AsyncSession,
    now: datetime,
    organization_id: str,
    api_key_id: str | None = None,
) -> int:
    """Tokens the organization (or one of its keys) used since the month began (UTC)."""
    stmt = select(func.coalesce(func.sum(UsageRecord.total_tokens), 0)).where(
        UsageRecord.organization_id == organization_id,
        UsageRecord.created_at >= month_start(now),
    )
    if api_key_id is not None:
        stmt = stmt.where(UsageRecord.api_key_id == api_key_id)
    return int((await session.execute(stmt)).scalar_one())


async def budget_for(
    session: AsyncSession,
    now: datetime,
    organization_id: str,
    organization_budget: int | None,
    api_key_id: str,
    key_budget: int | None,
) -> MonthlyBudget | None:
    """The month's budget state, or None (no query) when neither has a budget."""
    if organization_budget is None and key_budget is None:
        return None
    return MonthlyBudget(
        key_budget=key_budget,
        key_spent=await spent_this_month(session, now, organization_id, api_key_id)
        if key_budget is not None
        else 0,
        organization_budget=organization_budget,
        organization_spent=await spent_this_month(session, now, organization_id)
        if organization_budget is not None
        else 0,
    )
