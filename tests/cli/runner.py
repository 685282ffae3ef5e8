"""Run `zerokeep ...` against a data dir and database of its own: in process with Typer's test
runner (fast: no interpreter start-up, no re-import), or as a real subprocess (the smoke tests).

    cli = Cli(tmp_path / "data", database_url)
    result = cli("org", "create", "Acme", "--slug", "acme")      # asserts exit code 0
    result.stdout, result.stderr
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
# Wide enough that tables never wrap or truncate (the tests read them with regexes).
COLUMNS = 400


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


class Cli:
    """`zerokeep` with ZEROKEEP_DATA_DIR and ZEROKEEP_DATABASE_URL of its own."""

    def __init__(self, data_dir: Path, database_url: str, *, in_process: bool = True) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.in_process = in_process
        self.env = {
            "ZEROKEEP_DATA_DIR": str(data_dir),
            "ZEROKEEP_DATABASE_URL": database_url,
            "ZEROKEEP_CONFIG": "",
            "COLUMNS": str(COLUMNS),
            "NO_COLOR": "1",
        }

    def __call__(
        self, *args: str, stdin: str | None = None, expect: int = 0, **env: str
    ) -> Outcome:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        run = self._in_process if self.in_process else self._subprocess
        outcome = run(list(args), stdin or "", {**self.env, **env})
        assert outcome.returncode == expect, (outcome.stdout, outcome.stderr)
        return outcome

    def create_org(self, slug: str, plan: str = "free") -> str:
        out = self("org", "create", f"Org {slug}", "--plan", plan, "--slug", slug).stdout
        match = re.search(r"Created organization (org_[0-9a-f]+) \(slug (\S+), plan (\w+)\)", out)
        assert match and match.group(2) == slug and match.group(3) == plan, out
        return match.group(1)

    def _subprocess(self, args: list[str], stdin: str, env: dict[str, str]) -> Outcome:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("ZEROKEEP_")}
        result = subprocess.run(
            [str(ZEROKEEP), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**inherited, **env},
            cwd=self.data_dir,
            timeout=120,
            check=False,
        )
        return Outcome(result.returncode, result.stdout, result.stderr)

    def _in_process(self, args: list[str], stdin: str, env: dict[str, str]) -> Outcome:
        # Commands call asyncio.run(); async tests already run a loop on this thread, so the
        # command runs on a thread of its own (the test waits for it).
        from zerokeep.cli.main import app

        cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ZEROKEEP_")}
        outcome: list[Outcome] = []
        failure: list[BaseException] = []

        def invoke() -> None:
            try:
                _widen_consoles()
                result = CliRunner().invoke(app, args, input=stdin, env={**cleared, **env})
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    failure.append(result.exception)  # a crash, not an exit code: show it
                outcome.append(Outcome(result.exit_code, result.stdout, result.stderr))
            except BaseException as error:
                failure.append(error)

        thread = threading.Thread(target=invoke, name="zerokeep-cli")
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive(), f"zerokeep {' '.join(args)} did not finish"
        if failure:
            raise failure[0]
        return outcome[0]


def _widen_consoles() -> None:
    """The CLI's module-level rich consoles measured their width when first imported; a
    subprocess gets COLUMNS from its environment, in process they are widened here."""
    import zerokeep.cli.runtime as runtime

    for value in vars(runtime).values():
        if isinstance(value, Console):
            value.width = COLUMNS
