"""Who is calling: the authenticated key, its organization and that organization's policy."""

from __future__ import annotations

from dataclasses import dataclass

from zerokeep.retention.policy import OrgPolicy


@dataclass(frozen=True, slots=True)
class AuthContext:
    api_key_id: str
    organization_id: str
    user_id: str | None
    policy: OrgPolicy | None  # None: the policy store could not be read -> retain nothing
    requests_per_minute: int
    tokens_per_minute: int
