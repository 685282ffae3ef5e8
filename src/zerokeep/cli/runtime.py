"""Run one CLI command against the configured database, as one unit of work.

def command(...):
    run_in_session(lambda session, ctx: organization_service.list_all(session))
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.cli import database_failure
from zerokeep.config import Settings, SettingsError, load_settings
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.errors import ZerokeepError
from zerokeep.secret import DeploymentKeys, load_keys

T = TypeVar("T")
console = Console()
error_console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class CliContext:
    settings: Settings
    keys: DeploymentKeys


def fail(message: str, code: int = 1) -> NoReturn:
    # One line whatever the terminal width: scripts and people grep for it.
    error_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error), code=2)


def run_in_session(work: Callable[[AsyncSession, CliContext], Awaitable[T]]) -> T:
    settings = settings_or_exit()
    context = CliContext(settings, load_keys(settings))

    async def main() -> T:
        engine = create_engine(settings.resolved_database_url)
        try:
            async with unit_of_work(session_factory(engine)) as session:
                return await work(session, context)
        finally:
            await engine.dispose()

    return run_against_database(settings, main())


def run_against_database(settings: Settings, work: Coroutine[Any, Any, T]) -> T:
    """Run `work`; a refusal exits 1 with its message, a database setup problem (not migrated,
    unreachable, missing) exits 3 with one line saying what to do, never a traceback."""
    try:
        return asyncio.run(work)
    except ZerokeepError as error:
        fail(error.message)
    except Exception as error:
        message = database_failure.describe(error, settings.resolved_database_url)
        if message is None:
            raise
        fail(message, code=database_failure.EXIT_DATABASE)
