"""The organization's privacy state as the retention core sees it: a frozen snapshot."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Plan(enum.StrEnum):
    FREE = "free"
    SCALE = "scale"


class ZdrState(enum.StrEnum):
    OFF = "off"
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"


class StatefulPolicy(enum.StrEnum):
    ALLOW = "allow"
    BLOCK = "block"


DEFAULT_ABUSE_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """What the decision needs to know about one organization, at one instant."""

    organization_id: str
    plan: Plan
    zdr_state: ZdrState
    training_opt_out: bool = False
    abuse_window_days: int = DEFAULT_ABUSE_WINDOW_DAYS
    stateful_policy: StatefulPolicy = StatefulPolicy.ALLOW
    requires_upstream_zdr: bool = False

    @property
    def is_zdr(self) -> bool:
        # ZDR exists only on the Scale plan: leaving Scale revokes it, and a stale row that
        # still says "active" on the free plan must not be honoured as ZDR... nor retain more.
        return self.zdr_state is ZdrState.ACTIVE and self.plan is Plan.SCALE
