"""Run one CLI command against the configured database, as one unit of work.

def command(...):
    run_in_session(lambda session, ctx: organization_service.list_all(session))
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

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
    error_console.print(f"[red]error:[/red] {message}", highlight=False)
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

    try:
        return asyncio.run(main())
    except ZerokeepError as error:
        fail(error.message)
