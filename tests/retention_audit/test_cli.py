"""`zerokeep audit retention --ephemeral` as an operator runs it: exit 0, a report that
`verify-report` accepts against `public-key`, and a modified report that it rejects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ZEROKEEP = str(Path(sys.executable).with_name("zerokeep"))


def zerokeep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZEROKEEP_SECRET_KEY": "cli-audit-secret-" + "c" * 40}
    for name in ("ZEROKEEP_DATABASE_URL", "ZEROKEEP_REDIS_URL", "ZEROKEEP_DATA_DIR"):
        env.pop(name, None)
    return subprocess.run(
        [ZEROKEEP, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("audit-cli")
    return cwd, zerokeep("audit", "retention", "--ephemeral", "--out", "out/report.json", cwd=cwd)


class TestRetentionCommand:
    def test_exits_zero_and_prints_the_verdict(
        self, run: tuple[Path, subprocess.CompletedProcess[str]]
    ) -> None:
        _, result = run
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Verdict: PASS" in result.stdout
        assert "captured-log" in result.stdout
        assert "ZKCANARY" not in result.stdout + result.stderr

    def test_report_verifies_against_the_pinned_key(
        self, run: tuple[Path, subprocess.CompletedProcess[str]]
    ) -> None:
        cwd, _ = run
        key = zerokeep("audit", "public-key", cwd=cwd).stdout.strip()
        result = zerokeep("audit", "verify-report", "out/report.json", "--public-key", key, cwd=cwd)
        assert result.returncode == 0, result.stderr
        assert "signature valid by the pinned key; verdict PASS" in result.stdout

    def test_a_modified_report_fails_verification(
        self, run: tuple[Path, subprocess.CompletedProcess[str]]
    ) -> None:
        cwd, _ = run
        document = json.loads((cwd / "out/report.json").read_text())
        document["report"]["sinks"][0]["name"] = "sqlitf"
        (cwd / "tampered.json").write_text(json.dumps(document))
        result = zerokeep("audit", "verify-report", "tampered.json", cwd=cwd)
        assert result.returncode == 1
        assert "modified after signing" in " ".join(result.stderr.split())

    def test_another_deployments_key_is_refused(
        self, run: tuple[Path, subprocess.CompletedProcess[str]]
    ) -> None:
        cwd, _ = run
        other = "A" * 43 + "="
        result = zerokeep(
            "audit", "verify-report", "out/report.json", "--public-key", other, cwd=cwd
        )
        assert result.returncode == 1
        assert "different key" in " ".join(result.stderr.split())
