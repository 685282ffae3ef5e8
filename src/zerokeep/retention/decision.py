"""The retention decision for one request, computed from (organization state, endpoint class).

It is a small immutable value that travels with the request; every sink obeys it.

    >>> from zerokeep.retention.policy import OrgPolicy, Plan, ZdrState
    >>> policy = OrgPolicy("org_1", Plan.SCALE, ZdrState.ACTIVE)
    >>> decide(policy, EndpointClass.STATELESS).header_value
    'none'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.policy import OrgPolicy, StatefulPolicy


class Regime(enum.StrEnum):
    NONE = "none"  # nothing derived from content is written anywhere
    ARCHIVE = "archive"  # inputs and outputs kept encrypted in the payload archive for N days
    STATEFUL = "stateful"  # kept by the stateful product until deleted
    METADATA = "metadata"  # control plane: metadata only


class DecisionReason(enum.StrEnum):
    ZDR = "zdr"
    ABUSE_WINDOW = "abuse_window"
    POLICY_UNAVAILABLE = "policy_unavailable"  # fail closed
    STATEFUL_PRODUCT = "stateful_product"
    STATEFUL_BLOCKED = "stateful_blocked"
    CONTROL_PLANE = "control_plane"


@dataclass(frozen=True, slots=True)
class Decision:
    regime: Regime
    reason: DecisionReason
    archive_days: int = 0
    requires_upstream_zdr: bool = False
    is_allowed: bool = True

    @property
    def header_value(self) -> str:
        """The value of the `zerokeep-retention` response header."""
        if self.regime is Regime.ARCHIVE:
            return f"archive; days={self.archive_days}"
        return self.regime.value

    @property
    def may_archive(self) -> bool:
        return self.regime is Regime.ARCHIVE and self.archive_days > 0


# Fail closed (invariant 3): when the policy cannot be read, keep nothing and use only upstreams
# that declare they keep nothing, since the organization may require it.
RETAIN_NOTHING = Decision(
    Regime.NONE, DecisionReason.POLICY_UNAVAILABLE, requires_upstream_zdr=True
)


def decide(policy: OrgPolicy | None, endpoint_class: EndpointClass) -> Decision:
    """Decide what may be kept for one request. `policy=None` means it could not be read."""
    if endpoint_class is EndpointClass.CONTROL:
        return Decision(Regime.METADATA, DecisionReason.CONTROL_PLANE)
    if endpoint_class is EndpointClass.STATEFUL:
        if policy is None:
            return Decision(Regime.NONE, DecisionReason.POLICY_UNAVAILABLE, is_allowed=False)
        if policy.stateful_policy is StatefulPolicy.BLOCK:
            return Decision(Regime.NONE, DecisionReason.STATEFUL_BLOCKED, is_allowed=False)
        # Calls a stateful product makes upstream (batch lines) still honour the upstream-ZDR
        # requirement: the organization's stored data must not reach a retaining upstream.
        return Decision(
            Regime.STATEFUL,
            DecisionReason.STATEFUL_PRODUCT,
            requires_upstream_zdr=policy.requires_upstream_zdr,
        )
    if policy is None:
        return RETAIN_NOTHING
    if policy.is_zdr:
        return Decision(
            Regime.NONE, DecisionReason.ZDR, requires_upstream_zdr=policy.requires_upstream_zdr
        )
    if policy.abuse_window_days <= 0:
        return Decision(
            Regime.NONE,
            DecisionReason.ABUSE_WINDOW,
            requires_upstream_zdr=policy.requires_upstream_zdr,
        )
    return Decision(
        Regime.ARCHIVE,
        DecisionReason.ABUSE_WINDOW,
        archive_days=policy.abuse_window_days,
        requires_upstream_zdr=policy.requires_upstream_zdr,
    )
