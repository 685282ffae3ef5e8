"""Who is calling: the authenticated key, its organization and that organization's policy."""

from __future__ import annotations

from dataclasses import dataclass

from zerokeep.api_key.limits import KeyLimits
from zerokeep.retention.policy import OrgPolicy
from zerokeep.usage.budget import MonthlyBudget


@dataclass(frozen=True, slots=True)
class AuthContext:
    api_key_id: str
    organization_id: str
    user_id: str | None
    policy: OrgPolicy | None  # None: the policy store could not be read -> retain nothing
    requests_per_minute: int
    tokens_per_minute: int
    key_limits: KeyLimits | None = None  # the key's own controls, below the organization's
    budget: MonthlyBudget | None = None  # this month's token budgets and spend, when set
