"""retention.decision: every branch of decide(), and the value it produces."""

from __future__ import annotations

import dataclasses

import pytest

from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.decision import (
    RETAIN_NOTHING,
    Decision,
    DecisionReason,
    Regime,
    decide,
)
from zerokeep.retention.policy import OrgPolicy, Plan, StatefulPolicy, ZdrState


def policy(
    plan: Plan = Plan.SCALE,
    zdr: ZdrState = ZdrState.OFF,
    **extra: object,
) -> OrgPolicy:
    return OrgPolicy("org_1", plan, zdr, **extra)  # type: ignore[arg-type]


class TestControl:
    @pytest.mark.parametrize(
        "snapshot", [None, policy(), policy(zdr=ZdrState.ACTIVE), policy(Plan.FREE)]
    )
    def test_control_plane_keeps_metadata_only(self, snapshot: OrgPolicy | None) -> None:
        decision = decide(snapshot, EndpointClass.CONTROL)
        assert decision == Decision(Regime.METADATA, DecisionReason.CONTROL_PLANE)
        assert decision.header_value == "metadata"
        assert decision.is_allowed and not decision.may_archive


class TestStateful:
    def test_unreadable_policy_refuses(self) -> None:
        decision = decide(None, EndpointClass.STATEFUL)
        assert decision.regime is Regime.NONE
        assert decision.reason is DecisionReason.POLICY_UNAVAILABLE
        assert decision.is_allowed is False

    def test_blocked_by_the_organization(self) -> None:
        snapshot = policy(stateful_policy=StatefulPolicy.BLOCK)
        decision = decide(snapshot, EndpointClass.STATEFUL)
        assert decision == Decision(Regime.NONE, DecisionReason.STATEFUL_BLOCKED, is_allowed=False)

    @pytest.mark.parametrize("zdr", list(ZdrState))
    def test_allowed_products_keep_until_deleted_whatever_the_zdr_state(
        self, zdr: ZdrState
    ) -> None:
        decision = decide(policy(zdr=zdr), EndpointClass.STATEFUL)
        assert decision == Decision(Regime.STATEFUL, DecisionReason.STATEFUL_PRODUCT)
        assert decision.header_value == "stateful"
        assert not decision.may_archive


class TestStateless:
    def test_unreadable_policy_retains_nothing(self) -> None:
        decision = decide(None, EndpointClass.STATELESS)
        assert decision is RETAIN_NOTHING
        assert decision.regime is Regime.NONE
        assert decision.reason is DecisionReason.POLICY_UNAVAILABLE
        assert decision.header_value == "none"
        assert decision.is_allowed and not decision.may_archive

    def test_active_zdr_on_scale_retains_nothing(self) -> None:
        decision = decide(policy(zdr=ZdrState.ACTIVE), EndpointClass.STATELESS)
        assert decision == Decision(Regime.NONE, DecisionReason.ZDR)
        assert decision.header_value == "none"
        assert not decision.may_archive

    def test_zdr_carries_the_upstream_zdr_requirement(self) -> None:
        snapshot = policy(zdr=ZdrState.ACTIVE, requires_upstream_zdr=True)
        decision = decide(snapshot, EndpointClass.STATELESS)
        assert decision.reason is DecisionReason.ZDR
        assert decision.requires_upstream_zdr is True

    def test_active_zdr_on_the_free_plan_is_not_honoured_as_zdr(self) -> None:
        snapshot = policy(Plan.FREE, ZdrState.ACTIVE)
        assert snapshot.is_zdr is False
        decision = decide(snapshot, EndpointClass.STATELESS)
        assert decision.reason is not DecisionReason.ZDR
        assert decision == Decision(Regime.ARCHIVE, DecisionReason.ABUSE_WINDOW, archive_days=30)

    @pytest.mark.parametrize("zdr", [ZdrState.OFF, ZdrState.PENDING, ZdrState.REVOKED])
    def test_without_active_zdr_the_abuse_window_applies(self, zdr: ZdrState) -> None:
        decision = decide(policy(zdr=zdr, abuse_window_days=14), EndpointClass.STATELESS)
        assert decision == Decision(Regime.ARCHIVE, DecisionReason.ABUSE_WINDOW, archive_days=14)
        assert decision.header_value == "archive; days=14"
        assert decision.may_archive

    def test_default_window_is_thirty_days(self) -> None:
        decision = decide(policy(Plan.FREE), EndpointClass.STATELESS)
        assert decision.archive_days == 30
        assert decision.header_value == "archive; days=30"

    def test_zero_day_window_retains_nothing(self) -> None:
        decision = decide(policy(abuse_window_days=0), EndpointClass.STATELESS)
        assert decision == Decision(Regime.NONE, DecisionReason.ABUSE_WINDOW)
        assert decision.header_value == "none"
        assert not decision.may_archive

    def test_negative_window_retains_nothing(self) -> None:
        decision = decide(policy(abuse_window_days=-5), EndpointClass.STATELESS)
        assert decision.regime is Regime.NONE
        assert not decision.may_archive

    @pytest.mark.parametrize("days", [0, 30])
    def test_non_zdr_decisions_carry_the_upstream_zdr_requirement(self, days: int) -> None:
        snapshot = policy(abuse_window_days=days, requires_upstream_zdr=True)
        assert decide(snapshot, EndpointClass.STATELESS).requires_upstream_zdr is True

    def test_stateful_block_does_not_affect_stateless_routes(self) -> None:
        snapshot = policy(zdr=ZdrState.ACTIVE, stateful_policy=StatefulPolicy.BLOCK)
        decision = decide(snapshot, EndpointClass.STATELESS)
        assert decision.is_allowed and decision.reason is DecisionReason.ZDR


class TestDecisionValue:
    def test_is_frozen(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            RETAIN_NOTHING.regime = Regime.ARCHIVE  # type: ignore[misc]

    def test_archive_with_zero_days_may_not_archive(self) -> None:
        decision = Decision(Regime.ARCHIVE, DecisionReason.ABUSE_WINDOW, archive_days=0)
        assert not decision.may_archive


class TestOrgPolicy:
    @pytest.mark.parametrize(
        ("plan", "zdr", "is_zdr"),
        [
            (Plan.SCALE, ZdrState.ACTIVE, True),
            (Plan.FREE, ZdrState.ACTIVE, False),
            (Plan.SCALE, ZdrState.PENDING, False),
            (Plan.SCALE, ZdrState.REVOKED, False),
            (Plan.SCALE, ZdrState.OFF, False),
        ],
    )
    def test_is_zdr(self, plan: Plan, zdr: ZdrState, is_zdr: bool) -> None:
        assert policy(plan, zdr).is_zdr is is_zdr

    def test_is_frozen(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            policy().zdr_state = ZdrState.ACTIVE  # type: ignore[misc]
