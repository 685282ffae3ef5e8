"""`zerokeep worker`: run background jobs on Procrastinate (PostgreSQL), any number of them."""

from __future__ import annotations

import asyncio

import typer

from zerokeep.cli.runtime import fail, settings_or_exit
from zerokeep.config import Settings


def worker(
    concurrency: int = typer.Option(4, min=1, help="Jobs this process runs at the same time."),
) -> None:
    """Run jobs (purges, email delivery, batch) until stopped (SIGINT/SIGTERM finish the
    running jobs first). Needs ZEROKEEP_JOBS_ENGINE=procrastinate and PostgreSQL."""
    from zerokeep.observability.logging_setup import configure_logging

    settings = settings_or_exit()
    if settings.jobs_engine != "procrastinate":
        fail(
            "zerokeep worker runs jobs on Procrastinate: set ZEROKEEP_JOBS_ENGINE=procrastinate "
            "with a PostgreSQL ZEROKEEP_DATABASE_URL (the embedded engine runs jobs inside "
            "zerokeep serve).",
            code=2,
        )
    configure_logging(settings.log_level, settings.log_format == "json")
    asyncio.run(_work(settings, concurrency))


async def _work(settings: Settings, concurrency: int) -> None:
    from zerokeep.db import create_engine, session_factory
    from zerokeep.jobs import JobEnvironment, load_registry
    from zerokeep.jobs.procrastinate_engine import build_app, schema_exists
    from zerokeep.jobs.registry import TASK_MODULES
    from zerokeep.keys import key_service_from_settings
    from zerokeep.kit.clock import SystemClock
    from zerokeep.secret import load_keys

    engine = create_engine(settings.resolved_database_url)
    try:
        if not await schema_exists(engine):
            fail("The job tables are missing: run `zerokeep db upgrade` first.")
        clock = SystemClock()
        sessions = session_factory(engine, jobs_engine=settings.jobs_engine, clock=clock)
        keys = key_service_from_settings(
            settings, legacy_wrapping_key=load_keys(settings).key_wrapping, clock=clock
        )
        environment = JobEnvironment(settings, clock, engine, sessions, keys)
        registry = load_registry(TASK_MODULES + tuple(settings.jobs_task_modules))
        app = build_app(registry, environment)
        async with app.open_async():
            await app.run_worker_async(
                concurrency=concurrency,
                install_signal_handlers=True,
                # Periodic runs (email delivery every 2 s) would otherwise pile up; failed jobs
                # stay for an operator to look at.
                delete_jobs="successful",
            )
    finally:
        await engine.dispose()
