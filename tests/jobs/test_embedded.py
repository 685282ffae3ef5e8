"""The embedded engine over the jobs table: enqueue in the caller's transaction, run after
commit, retries with backoff on a moved clock, failure after max attempts with the error's
class name only, lease expiry, periodic tasks once per period across runners."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.jobs.conftest import START, JobWorld
from zerokeep.db import unit_of_work
from zerokeep.jobs import enqueue
from zerokeep.jobs.embedded import LeaseLost, backoff
from zerokeep.jobs.enqueue import JOBS_WAKE
from zerokeep.jobs.status import FAILED, QUEUED, RUNNING, SUCCEEDED


class Boom(Exception):
    pass


class TestEnqueue:
    async def test_dropped_on_rollback(self, world: JobWorld) -> None:
        with pytest.raises(Boom):
            async with unit_of_work(world.sessions) as session:
                await enqueue(session, "sample.mark", marker="a")
                raise Boom
        assert await world.jobs() == []
        assert await world.runner().run_until_idle() == 0

    async def test_runs_after_commit_and_wakes_the_runner(self, world: JobWorld) -> None:
        woken: list[str] = []
        world.hooks[JOBS_WAKE] = lambda: woken.append("wake")
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.mark", marker="a")
            assert woken == []
        assert woken == ["wake"]
        assert await world.runner().run_until_idle() == 1
        job = await world.job(job_id)
        assert (job.status, job.attempts, job.last_error) == (SUCCEEDED, 1, None)
        assert await world.effects() == ["a"]

    async def test_a_delayed_job_waits_for_its_time(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            await enqueue(session, "sample.mark", delay=timedelta(days=7), marker="later")
        runner = world.runner()
        assert await runner.run_until_idle() == 0
        world.clock.advance(days=7)
        assert await runner.run_until_idle() == 1
        assert await world.effects() == ["later"]

    @pytest.mark.parametrize(
        ("args", "error"),
        [
            ({"body": "x" * 500}, ValueError),
            ({"messages": ["hello"]}, TypeError),
            ({"Bad-Name": "x"}, ValueError),
        ],
    )
    async def test_arguments_are_ids_not_content(
        self, world: JobWorld, args: dict[str, object], error: type[Exception]
    ) -> None:
        async with unit_of_work(world.sessions) as session:
            with pytest.raises(error):
                await enqueue(session, "sample.mark", **args)  # type: ignore[arg-type]


class TestRetries:
    async def test_failure_retries_with_backoff_then_fails_with_the_type_only(
        self, world: JobWorld
    ) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.fail", max_attempts=3, marker="x")
        runner = world.runner()
        assert await runner.run_until_idle() == 1
        job = await world.job(job_id)
        assert (job.status, job.attempts, job.last_error) == (QUEUED, 1, "Flaky")
        assert job.run_at == START + backoff(1)

        world.clock.advance(seconds=backoff(1).total_seconds() - 1)
        assert await runner.run_until_idle() == 0  # not before its backoff
        world.clock.advance(seconds=1)
        assert await runner.run_until_idle() == 1
        job = await world.job(job_id)
        assert (job.status, job.attempts) == (QUEUED, 2)
        assert job.run_at == world.clock.now() + backoff(2)
        assert backoff(2) == 2 * backoff(1)

        world.clock.advance(seconds=backoff(2).total_seconds())
        assert await runner.run_until_idle() == 1
        job = await world.job(job_id)
        assert (job.status, job.attempts, job.last_error) == (FAILED, 3, "Flaky")
        assert job.finished_at == world.clock.now()
        world.clock.advance(days=1)
        assert await runner.run_until_idle() == 0
        assert await world.effects() == []  # each failed attempt's writes were rolled back

    async def test_the_error_message_is_stored_nowhere(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            await enqueue(session, "sample.fail", max_attempts=1, marker="x")
        await world.runner().run_until_idle()
        (job,) = await world.jobs()
        assert "secret" not in repr(vars(job))

    async def test_an_unknown_task_fails_at_once(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "nobody.declares", marker="x")
        await world.runner().run_until_idle()
        job = await world.job(job_id)
        assert (job.status, job.last_error) == (FAILED, "UnknownTask")

    def test_backoff_is_capped(self) -> None:
        assert backoff(1) == timedelta(seconds=10)
        assert backoff(30) == timedelta(hours=1)


class TestLease:
    async def test_a_job_whose_runner_died_runs_again_after_the_lease(
        self, world: JobWorld
    ) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.mark", marker="once")
        dead = world.runner("dead", lease=timedelta(minutes=5))
        assert await dead._claim() is not None  # claimed, then the process "dies"
        job = await world.job(job_id)
        assert (job.status, job.locked_by) == (RUNNING, "dead")

        survivor = world.runner("survivor")
        assert await survivor.run_until_idle() == 0  # the lease still holds
        world.clock.advance(minutes=5)
        assert await survivor.run_until_idle() == 1
        job = await world.job(job_id)
        assert (job.status, job.attempts, job.locked_by) == (SUCCEEDED, 2, None)
        assert await world.effects() == ["once"]

    async def test_a_runner_that_lost_its_lease_records_nothing(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.mark", marker="once")
        slow = world.runner("slow", lease=timedelta(minutes=1))
        claimed = await slow._claim()
        assert claimed is not None
        world.clock.advance(minutes=2)
        assert await world.runner("fast").run_until_idle() == 1
        # The slow runner wakes up: its lease is gone, so its run must not count or write.
        declared = slow.registry.get("sample.mark")
        with pytest.raises(LeaseLost):
            await slow._execute(declared, replace(claimed, args={"marker": "twice"}))
        assert await world.effects() == ["once"]
        assert (await world.job(job_id)).status == SUCCEEDED

    async def test_a_job_that_keeps_killing_its_runner_fails(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.mark", max_attempts=2, marker="x")
        for name in ("first", "second"):
            assert await world.runner(name, lease=timedelta(minutes=1))._claim() is not None
            world.clock.advance(minutes=1)
        assert await world.runner("third").run_until_idle() == 0
        job = await world.job(job_id)
        assert (job.status, job.last_error) == (FAILED, "LeaseExpired")


class TestNotTransactional:
    async def test_a_long_run_keeps_its_lease(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.long")
        runner = world.runner(lease=timedelta(seconds=0.06))
        assert await runner.run_until_idle() == 1
        assert (await world.job(job_id)).status == SUCCEEDED
        assert await world.effects() == ["extended"]

    async def test_runs_with_its_own_units_of_work(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            job_id = await enqueue(session, "sample.outside", marker="out")
        assert await world.runner().run_until_idle() == 1
        assert (await world.job(job_id)).status == SUCCEEDED
        assert await world.effects() == ["out"]


class TestPeriodic:
    async def test_once_per_period_across_two_runners(self, world: JobWorld) -> None:
        first, second = world.runner("first"), world.runner("second")
        for _ in range(3):
            assert await first.schedule_periodic() >= 1
            assert await second.schedule_periodic() == 0  # same period: already queued
            await first.run_until_idle()
            await second.run_until_idle()
            world.clock.advance(seconds=1)
        ticks = [effect for effect in await world.effects() if effect.startswith("tick@")]
        assert len(ticks) == 3
        assert len(set(ticks)) == 3

    async def test_prune_deletes_old_finished_jobs(self, world: JobWorld) -> None:
        async with unit_of_work(world.sessions) as session:
            await enqueue(session, "sample.mark", marker="old")
        runner = world.runner()
        await runner.run_until_idle()
        world.clock.advance(days=2)
        async with unit_of_work(world.sessions) as session:
            await enqueue(session, "jobs.prune")
        await runner.run_until_idle()
        names = [job.name for job in await world.jobs()]
        assert "sample.mark" not in names
        assert names == ["jobs.prune"]
