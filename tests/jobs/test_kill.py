"""A real `kill -9`: a runner process dies mid-job (its effect written, not committed); a
second process takes the job once the lease has expired and its effect happens exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.jobs.conftest import JobWorld
from tests.jobs.sample_tasks import HANG_MARKER_ENV
from zerokeep.db import session_factory, unit_of_work
from zerokeep.jobs import enqueue
from zerokeep.jobs.status import RUNNING, SUCCEEDED

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 60


def start_runner(
    url: str, job_id: str, *, offset: float, hang_marker: Path | None
) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key != HANG_MARKER_ENV}
    if hang_marker is not None:
        env[HANG_MARKER_ENV] = str(hang_marker)
    command = [sys.executable, "-m", "tests.jobs.runner_process", url, job_id]
    command += ["--lease", str(LEASE_SECONDS), "--clock-offset", str(offset)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


async def wait_for_file(path: Path, process: subprocess.Popen[bytes]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not await asyncio.to_thread(path.exists):
        assert process.poll() is None, "the runner process exited before reaching the job"
        assert loop.time() < deadline, "the runner process never reached the job"
        await asyncio.sleep(0.05)


class TestKill9:
    async def test_the_job_is_finished_by_another_process_exactly_once(
        self, world: JobWorld, tmp_path: Path
    ) -> None:
        sessions = session_factory(world.engine)  # the system clock, like the processes
        async with unit_of_work(sessions) as session:
            job_id = await enqueue(session, "sample.mark", marker="effect")

        marker = tmp_path / "mid-job"
        first = start_runner(world.url, job_id, offset=0, hang_marker=marker)
        try:
            await wait_for_file(marker, first)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert first.returncode == -signal.SIGKILL
        job = await world.job(job_id)
        assert (job.status, job.attempts) == (RUNNING, 1)
        assert await world.effects() == []  # written, never committed

        # A second process, living after the dead one's lease expired.
        second = start_runner(world.url, job_id, offset=LEASE_SECONDS + 1, hang_marker=None)
        assert await asyncio.to_thread(second.wait, 120) == 0
        job = await world.job(job_id)
        assert (job.status, job.attempts, job.locked_by) == (SUCCEEDED, 2, None)
        assert await world.effects() == ["effect"]
