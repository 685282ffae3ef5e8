"""A runner process for the kill -9 test: runs due sample jobs until JOB_ID is finished.

    python -m tests.jobs.runner_process DATABASE_URL JOB_ID --lease 60 --clock-offset 0

With ZEROKEEP_TEST_HANG_MARKER set, `sample.mark` hangs on its first attempt after writing
its effect (uncommitted), so the test can kill this process mid-job.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from tests.jobs.conftest import job_settings, sample_registry
from zerokeep.db import create_engine, read_only, session_factory
from zerokeep.jobs import JobEnvironment
from zerokeep.jobs.embedded import EmbeddedRunner
from zerokeep.jobs.status import FAILED, SUCCEEDED
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.models import Job
from zerokeep.secret import load_keys

DEADLINE_SECONDS = 30.0


class OffsetClock:
    """The system clock moved forward: this process lives after the dead one's lease."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return SystemClock().now() + self.offset


async def main(url: str, job_id: str, lease: float, offset: float) -> None:
    engine = create_engine(url)
    clock = OffsetClock(timedelta(seconds=offset))
    sessions = session_factory(engine, clock=clock)
    settings = job_settings(Path(tempfile.mkdtemp()), url)
    keys = key_service_from_settings(settings, legacy_wrapping_key=load_keys(settings).key_wrapping)
    environment = JobEnvironment(settings, clock, engine, sessions, keys)
    runner = EmbeddedRunner(sample_registry(), environment, lease=timedelta(seconds=lease))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    try:
        while loop.time() < deadline:
            await runner.run_until_idle()
            async with read_only(sessions) as session:
                job = await session.get(Job, job_id)
            if job is not None and job.status in (SUCCEEDED, FAILED):
                return
            # PostgreSQL may not yet have ended the killed process's transaction (its row
            # lock makes the job invisible to SKIP LOCKED): look again shortly.
            await asyncio.sleep(0.05)
        raise SystemExit("the job did not finish")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("job_id")
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    options = parser.parse_args()
    asyncio.run(main(options.url, options.job_id, options.lease, options.clock_offset))
