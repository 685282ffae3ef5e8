"""Pydantic I/O for organizations and their privacy state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from zerokeep.retention.policy import Plan, StatefulPolicy, ZdrState
from zerokeep.zdr_request.schemas import ZdrRequestSummary


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
    deletion_grace_days: int = 7
    # The latest ZDR request (pending, or how the last one ended), without its justification.
    zdr_request: ZdrRequestSummary | None = None
