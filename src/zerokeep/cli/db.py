"""`zerokeep db`: schema migrations (and, with the Procrastinate job engine, its schema)."""

from __future__ import annotations

import typer

from zerokeep.cli.runtime import console, run_against_database, settings_or_exit
from zerokeep.db import create_engine
from zerokeep.migrations import runner

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database to the latest schema (or REVISION)."""
    settings = settings_or_exit()

    async def main() -> str | None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await runner.upgrade(engine, revision)
            if settings.jobs_engine == "procrastinate":
                from zerokeep.jobs.procrastinate_engine import apply_schema

                if await apply_schema(engine):
                    console.print("Created the job engine's tables (Procrastinate).")
            return await runner.current_revision(engine)
        finally:
            await engine.dispose()

    console.print(f"Database at revision {run_against_database(settings, main())}.")


@app.command()
def current() -> None:
    """Print the database's current schema revision."""
    settings = settings_or_exit()

    async def main() -> str | None:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await runner.current_revision(engine)
        finally:
            await engine.dispose()

    console.print(f"Database at revision {run_against_database(settings, main()) or '(empty)'}.")
