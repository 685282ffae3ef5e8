"""Organization roles and what each may do."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def can_manage_privacy(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)

    @property
    def can_manage_members(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)
