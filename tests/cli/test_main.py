"""`zerokeep --help` stays fast: it lists the commands without importing any of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import zerokeep.cli
from zerokeep.cli.main import COMMANDS

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
# What made `zerokeep --help` take seconds: the database stack, the web app, HTTP clients, the
# SDK, settings, and every command module.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "aiohttp",
    "httpx",
    "mistralai",
    "pydantic_settings",
    "uvicorn",
    "cryptography",
    "zerokeep.app",
    "zerokeep.config",
    "zerokeep.db",
    "zerokeep.cli.runtime",
    *(entry.target.split(":")[0] for entry in COMMANDS.values()),
)


PROBE = """
import runpy, sys
sys.argv = [sys.argv[1], *sys.argv[2:]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
sys.__stderr__.write("\\n".join(sorted(sys.modules)))
"""


def imported_modules(*args: str) -> set[str]:
    """Modules the real `zerokeep` script has imported once it has answered `args`."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ZEROKEEP), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage: zerokeep" in result.stdout
    return set(result.stderr.split())


def is_heavy(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in HEAVY)


class TestHelp:
    def test_top_level_help_imports_no_command_module(self) -> None:
        heavy = sorted(module for module in imported_modules("--help") if is_heavy(module))
        assert heavy == []

    def test_a_group_help_imports_that_group_only(self) -> None:
        modules = imported_modules("org", "--help")
        assert "zerokeep.cli.org" in modules
        assert "zerokeep.cli.audit" not in modules
        assert "zerokeep.cli.chat" not in modules


class TestCommandTable:
    @pytest.mark.parametrize("name", list(COMMANDS))
    def test_listed_help_is_the_command_own_help(self, name: str) -> None:
        command = COMMANDS[name].load(name)
        assert command.help is not None
        first_paragraph = command.help.strip().split("\n\n")[0]
        assert " ".join(first_paragraph.split()) == COMMANDS[name].help

    def test_every_command_module_is_listed(self) -> None:
        package = Path(zerokeep.cli.__file__).parent
        modules = {path.stem for path in package.glob("*.py")}
        listed = {entry.target.split(":")[0].rsplit(".", 1)[1] for entry in COMMANDS.values()}
        helpers = {"database_failure", "invocation", "listing"}  # shared by the commands
        assert modules - listed == {"__init__", "main", "runtime", *helpers}
