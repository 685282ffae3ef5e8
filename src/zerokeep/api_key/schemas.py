"""Pydantic I/O for API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    # Per-key controls (api_key/limits.py); omitted: only the organization's limits apply.
    allowed_models: list[str] | None = Field(default=None, max_length=100)
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    monthly_token_budget: int | None = None


class ApiKey(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    object: str = "api_key"
    id: str
    name: str
    display_prefix: str
    organization_id: str
    user_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    allowed_models: list[str] | None = None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    monthly_token_budget: int | None = None


class ApiKeyCreated(ApiKey):
    """Returned once, at creation: the only time the plaintext key is shown."""

    key: str


class ApiKeyList(BaseModel):
    object: str = "list"
    data: list[ApiKey]


class BudgetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly_token_budget: int | None


class Budget(BaseModel):
    object: str = "organization.budget"
    monthly_token_budget: int | None
