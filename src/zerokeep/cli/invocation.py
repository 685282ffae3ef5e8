"""How to type the `zerokeep` command on this machine, for the hints the CLI prints.

`./scripts/run` starts `.venv/bin/zerokeep` without activating the virtualenv, so a hint that
says `zerokeep user create ...` would fail as shown. Hints use the name that works here.

    f"{command()} user create you@example.com --org demo --role owner"
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command() -> str:
    """`zerokeep` when that name on PATH is this very program, else the path to this program
    (relative to the working directory when it is below it, e.g. `.venv/bin/zerokeep`)."""
    program = Path(sys.argv[0])
    if program.name != "zerokeep":
        program = Path(sys.executable).with_name("zerokeep")
    on_path = shutil.which("zerokeep")
    if on_path is not None and _same(Path(on_path), program):
        return "zerokeep"
    try:
        return str(program.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(program.absolute())


def _same(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False
