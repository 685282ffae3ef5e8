"""Pydantic I/O for ZDR requests.

`ZdrRequestCreate` only bounds sizes: whether the justification is detailed enough is a rule
of the service, which answers with an error naming every missing part.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ZdrRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


class ZdrRequestCreate(BaseModel):
    """What an owner or admin submits: the legitimate reasons for ZDR."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    use_case: str = Field(default="", max_length=4000)
    data_categories: list[str] = Field(default_factory=list, max_length=30)
    legal_basis: str = Field(default="", max_length=2000)
    contact_email: str = Field(default="", max_length=320)


class ZdrRequest(BaseModel):
    """A ZDR request as its organization and staff see it."""

    model_config = ConfigDict(from_attributes=True)

    object: str = "zdr_request"
    id: str
    organization_id: str
    requested_by_user_id: str | None
    status: ZdrRequestStatus
    use_case: str
    data_categories: list[str]
    legal_basis: str
    contact_email: str
    reviewer: str | None
    decision_reason: str | None
    created_at: datetime
    decided_at: datetime | None


class ZdrRequestForReview(ZdrRequest):
    """A queue entry for staff: the request and which organization asks."""

    organization_name: str
    organization_slug: str
    organization_plan: str


class ZdrRequestList(BaseModel):
    object: str = "list"
    data: list[ZdrRequest]


class ZdrReviewQueue(BaseModel):
    object: str = "list"
    data: list[ZdrRequestForReview]


class ZdrRequestSummary(BaseModel):
    """The latest request, as shown in the Privacy settings (no justification text)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    status: ZdrRequestStatus
    created_at: datetime
    decided_at: datetime | None


class ReviewDecision(BaseModel):
    """Staff's decision body. A denial needs a reason (the service checks it is not blank)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=2000)
