"""Pydantic I/O for API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


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


class ApiKeyCreated(ApiKey):
    """Returned once, at creation: the only time the plaintext key is shown."""

    key: str
