"""Pydantic I/O for the Privacy settings: what GET returns, what PATCH accepts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from zerokeep.retention.policy import Plan, StatefulPolicy, ZdrState
from zerokeep.zdr_request.schemas import ZdrRequestSummary

MAX_ABUSE_WINDOW_DAYS = 3650


class PrivacyUpdate(BaseModel):
    """PATCH /v1/organization/privacy: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    training_opt_out: bool | None = None
    # 0 keeps nothing in the payload archive; at most ten years.
    abuse_window_days: int | None = Field(default=None, ge=0, le=MAX_ABUSE_WINDOW_DAYS)
    stateful_policy: StatefulPolicy | None = None
    requires_upstream_zdr: bool | None = None


class PrivacySettings(BaseModel):
    """GET /v1/organization/privacy: the organization's privacy state."""

    model_config = ConfigDict(from_attributes=True)

    object: str = "organization.privacy"
    organization_id: str
    plan: Plan
    zdr: ZdrState
    zdr_changed_at: datetime | None
    training_opt_out: bool
    abuse_window_days: int
    stateful_policy: StatefulPolicy
    requires_upstream_zdr: bool
    stateless_retention: str
    # The latest ZDR request (pending, or how the last one ended), without its justification.
    zdr_request: ZdrRequestSummary | None = None
