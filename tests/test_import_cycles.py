"""No import cycle between packages (or sibling modules), checked with import-linter's
`acyclic_siblings` contract as configured in pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*args: str, cwd: Path, pythonpath: Path | None = None) -> tuple[int, str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


class TestImportCycles:
    def test_zerokeep_has_none(self) -> None:
        code, output = lint_imports(cwd=ROOT)
        assert code == 0, output
        assert "No import cycles between packages KEPT" in output

    def test_the_contract_finds_one(self, tmp_path: Path) -> None:
        """The same contract on a package whose two subpackages import each other fails."""
        package = tmp_path / "cyclic"
        for name, other in (("left", "right"), ("right", "left")):
            (package / name).mkdir(parents=True)
            (package / name / "__init__.py").write_text(f"from cyclic.{other} import thing\n")
        (package / "__init__.py").write_text("")
        config = tmp_path / ".importlinter"
        config.write_text(
            "[importlinter]\nroot_package = cyclic\n\n"
            "[importlinter:contract:cycles]\nname = cycles\ntype = acyclic_siblings\n"
            "ancestors = cyclic\n"
        )
        code, output = lint_imports("--config", str(config), cwd=tmp_path, pythonpath=tmp_path)
        assert code == 1, output
        assert "BROKEN" in output
