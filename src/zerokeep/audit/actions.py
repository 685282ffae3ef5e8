"""The closed list of audited governance and console access actions, and who can act."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AuditAction(enum.StrEnum):
    ORGANIZATION_CREATED = "organization.created"
    PLAN_CHANGED = "organization.plan_changed"
    ZDR_CHANGED = "organization.zdr_changed"
    TRAINING_OPT_OUT_CHANGED = "organization.training_opt_out_changed"
    ABUSE_WINDOW_CHANGED = "organization.abuse_window_changed"
    STATEFUL_POLICY_CHANGED = "organization.stateful_policy_changed"
    UPSTREAM_ZDR_CHANGED = "organization.upstream_zdr_changed"
    LEGAL_HOLD_CHANGED = "organization.legal_hold_changed"
    BUDGET_CHANGED = "organization.budget_changed"
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an action name
    PASSWORD_RESET_REQUESTED = "user.password_reset_requested"  # noqa: S105 - an action name
    MEMBER_ADDED = "member.added"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    KEY_CREATED = "api_key.created"
    KEY_REVOKED = "api_key.revoked"
    ZDR_REQUEST_SUBMITTED = "zdr_request.submitted"
    ZDR_REQUEST_APPROVED = "zdr_request.approved"
    ZDR_REQUEST_DENIED = "zdr_request.denied"
    ZDR_REQUEST_WITHDRAWN = "zdr_request.withdrawn"
    ZDR_REQUEST_REVOKED = "zdr_request.revoked"
    TRAINING_EXPORTED = "training.exported"
    DATA_DELETED = "data.deleted"
    DATA_PURGED = "data.purged"
    DATA_RESTORED = "data.restored"
    DELETION_GRACE_CHANGED = "organization.deletion_grace_changed"
    MASTER_KEY_ROTATED = "keys.master_rotated"
    ORGANIZATION_KEY_DESTROYED = "keys.organization_key_destroyed"
    # Console access: the target is always a user id. An unknown email records nothing, so
    # the log never stores what a stranger typed.
    LOGIN_SUCCEEDED = "console.login_succeeded"
    LOGIN_FAILED = "console.login_failed"
    LOCKED_OUT = "console.locked_out"
    LOGGED_OUT = "console.logged_out"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: a user, the CLI operator, or the system itself (jobs)."""

    kind: str  # "user" | "cli" | "system" | "anonymous" (a login attempt not yet proven)
    id: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" if self.id else self.kind

    @classmethod
    def user(cls, user_id: str) -> Actor:
        return cls("user", user_id)


CLI = Actor("cli")
SYSTEM = Actor("system")
ANONYMOUS = Actor("anonymous")


# Actions that change what the gateway caches about an organization: recording one asks for
# the policy cache to be dropped after commit (audit.service -> invalidation.policy_changed).
POLICY_ACTIONS = frozenset(
    {
        AuditAction.ORGANIZATION_CREATED,
        AuditAction.PLAN_CHANGED,
        AuditAction.ZDR_CHANGED,
        AuditAction.TRAINING_OPT_OUT_CHANGED,
        AuditAction.ABUSE_WINDOW_CHANGED,
        AuditAction.STATEFUL_POLICY_CHANGED,
        AuditAction.UPSTREAM_ZDR_CHANGED,
        AuditAction.LEGAL_HOLD_CHANGED,
        AuditAction.BUDGET_CHANGED,
        AuditAction.MEMBER_ROLE_CHANGED,
        AuditAction.MEMBER_REMOVED,
        AuditAction.KEY_CREATED,
        AuditAction.KEY_REVOKED,
        AuditAction.ZDR_REQUEST_SUBMITTED,
        AuditAction.ZDR_REQUEST_APPROVED,
        AuditAction.ZDR_REQUEST_DENIED,
        AuditAction.ZDR_REQUEST_WITHDRAWN,
        AuditAction.ZDR_REQUEST_REVOKED,
    }
)
