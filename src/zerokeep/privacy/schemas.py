"""Pydantic input for changing the Privacy settings (the output is organization.schemas)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from zerokeep.retention.policy import StatefulPolicy

MAX_ABUSE_WINDOW_DAYS = 3650
MAX_DELETION_GRACE_DAYS = 30


class PrivacyUpdate(BaseModel):
    """PATCH /v1/organization/privacy: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    training_opt_out: bool | None = None
    # 0 keeps nothing in the payload archive; at most ten years.
    abuse_window_days: int | None = Field(default=None, ge=0, le=MAX_ABUSE_WINDOW_DAYS)
    stateful_policy: StatefulPolicy | None = None
    requires_upstream_zdr: bool | None = None
    # Days a deleted stateful object stays restorable before it is purged for good.
    deletion_grace_days: int | None = Field(default=None, ge=0, le=MAX_DELETION_GRACE_DAYS)
