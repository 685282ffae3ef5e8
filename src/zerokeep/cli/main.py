"""The `zerokeep` command line: serve, worker, db, org, user, key, keys, audit, usage, chat, zdr,
privacy, email, training, files, batch, deleted, hold, receipt.

Command modules are imported only when their command runs (or its own --help is asked for):
`zerokeep --help` lists them from the table below without importing SQLAlchemy, the app or the
SDKs, so it answers in a fraction of a second. tests/cli/test_main.py keeps the table's help
texts equal to the commands' own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.core
import typer.main
import typer.models
from typer import _click as click  # Typer vendors Click; its groups take these types
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a command lives (`module:attribute`, a Typer app or a function) and its help."""

    target: str
    help: str

    def load(self, name: str) -> click.Command:
        module_name, attribute = self.target.split(":")
        loaded = getattr(importlib.import_module(module_name), attribute)
        command: click.Command
        if isinstance(loaded, typer.Typer):
            # Plain help everywhere: Typer's rich panels print `<bool>` after every flag.
            loaded.rich_markup_mode = None
            command = typer.main.get_group(loaded)
        else:
            command = typer.main.get_command_from_info(
                typer.models.CommandInfo(name=name, callback=loaded),
                pretty_exceptions_short=True,
                rich_markup_mode=None,
            )
        command.name = name
        return command


COMMANDS: dict[str, LazyCommand] = {
    "serve": LazyCommand(
        "zerokeep.cli.serve:serve",
        "Run the API and console on the configured database (SQLite in the data dir by default).",
    ),
    "worker": LazyCommand(
        "zerokeep.cli.worker:worker",
        "Run jobs (purges, email delivery, batch) until stopped (SIGINT/SIGTERM finish the "
        "running jobs first). Needs ZEROKEEP_JOBS_ENGINE=procrastinate and PostgreSQL.",
    ),
    "usage": LazyCommand(
        "zerokeep.cli.usage:usage",
        "Summarise requests, errors, tokens and bytes per organization, route and model.",
    ),
    "chat": LazyCommand(
        "zerokeep.cli.chat:chat",
        "Chat from the terminal; history stays on this machine. Reads lines from stdin when piped.",
    ),
    "db": LazyCommand("zerokeep.cli.db:app", "Database schema migrations."),
    "org": LazyCommand("zerokeep.cli.org:app", "Organizations and their plans."),
    "user": LazyCommand("zerokeep.cli.user:app", "Users (console logins) and their roles."),
    "key": LazyCommand("zerokeep.cli.key:app", "API keys."),
    "keys": LazyCommand("zerokeep.cli.keys:app", "Encryption keys (the key hierarchy)."),
    "audit": LazyCommand("zerokeep.cli.audit:app", "Audit log and retention evidence."),
    "zdr": LazyCommand("zerokeep.cli.zdr:app", "Zero Data Retention requests and their review."),
    "privacy": LazyCommand("zerokeep.cli.privacy:app", "Privacy settings of an organization."),
    "email": LazyCommand("zerokeep.cli.mail:app", "Governance emails (the outbox)."),
    "training": LazyCommand("zerokeep.cli.training:app", "Training data export."),
    "files": LazyCommand("zerokeep.cli.files:app", "Files of the Files API."),
    "batch": LazyCommand("zerokeep.cli.batch:app", "Jobs of the Batch API."),
    "deleted": LazyCommand(
        "zerokeep.cli.deleted:app", "Recently deleted data: list, restore, purge."
    ),
    "hold": LazyCommand(
        "zerokeep.cli.hold:app", "Legal holds: block purges of an organization or one object."
    ),
    "receipt": LazyCommand("zerokeep.cli.receipt:app", "Signed deletion receipts."),
}


class LazyGroup(TyperGroup):
    """A group whose subcommands are imported on first use; listing them imports nothing."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, click.Command] = {}
        self._is_listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        if self._is_listing:
            return TyperCommand(cmd_name, help=entry.help)
        command = entry.load(cmd_name)
        self._loaded[cmd_name] = command
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._is_listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._is_listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="zerokeep: a Mistral-compatible AI gateway with provable data retention.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: Typer's rich panels print a `<bool>` placeholder after every flag.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from zerokeep import __version__

        print(f"zerokeep {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """zerokeep: a Mistral-compatible AI gateway with provable data retention."""
