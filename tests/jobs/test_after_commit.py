"""The unit of work's after-commit hook: callbacks run once the commit succeeded, are dropped
on rollback, and a governance change asks for the policy cache to be dropped by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.jobs.conftest import JobWorld
from zerokeep import invalidation
from zerokeep.audit.actions import CLI
from zerokeep.db import after_commit, run_hook_after_commit, unit_of_work
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch


class Boom(Exception):
    pass


class TestAfterCommit:
    async def test_runs_after_the_commit_not_before(self, world: JobWorld) -> None:
        calls: list[str] = []
        async with unit_of_work(world.sessions) as session:
            after_commit(session, lambda: calls.append("done"))
            assert calls == []
        assert calls == ["done"]

    async def test_dropped_on_rollback(self, world: JobWorld) -> None:
        calls: list[str] = []
        with pytest.raises(Boom):
            async with unit_of_work(world.sessions) as session:
                after_commit(session, lambda: calls.append("done"))
                raise Boom
        async with unit_of_work(world.sessions):
            pass
        assert calls == []

    async def test_explicit_rollback_inside_the_unit_drops_earlier_callbacks(
        self, world: JobWorld
    ) -> None:
        calls: list[str] = []
        async with unit_of_work(world.sessions) as session:
            await session.execute(text("SELECT 1"))  # a service's work opened the transaction
            after_commit(session, lambda: calls.append("rolled back"))
            await session.rollback()
            after_commit(session, lambda: calls.append("kept"))
        assert calls == ["kept"]

    async def test_same_key_runs_once_per_commit(self, world: JobWorld) -> None:
        calls: list[str] = []
        world.hooks["ping"] = lambda: calls.append("ping")
        async with unit_of_work(world.sessions) as session:
            run_hook_after_commit(session, "ping")
            run_hook_after_commit(session, "ping")
        async with unit_of_work(world.sessions) as session:
            run_hook_after_commit(session, "ping")
        assert calls == ["ping", "ping"]

    async def test_missing_hook_is_a_no_op(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            run_hook_after_commit(session, "nobody-listens")


class TestPolicyChanged:
    async def test_a_plan_change_drops_the_cache_after_commit(self, world: JobWorld) -> None:
        calls: list[str] = []
        world.hooks[invalidation.POLICY_CHANGED] = lambda: calls.append("invalidated")
        async with unit_of_work(world.sessions) as session:
            organization = await organization_service.create(session, CLI, name="acme")
        calls.clear()
        async with unit_of_work(world.sessions) as session:
            organization = await organization_service.get(session, organization.id)
            await zdr_switch.set_plan(session, CLI, organization, Plan.SCALE)
            assert calls == []  # not before the commit: a reader could re-cache the old plan
        assert calls == ["invalidated"]

    async def test_a_rolled_back_change_does_not(self, world: JobWorld) -> None:
        calls: list[str] = []
        world.hooks[invalidation.POLICY_CHANGED] = lambda: calls.append("invalidated")
        with pytest.raises(Boom):
            async with unit_of_work(world.sessions) as session:
                await organization_service.create(session, CLI, name="acme")
                raise Boom
        assert calls == []
