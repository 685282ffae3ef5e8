"""Live mode against a running gateway (here: the audit's own in-process instance on SQLite):
the report says which paths need the fake upstream, finds the control, and with
--verify-purge-now purges the control organization's records and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zerokeep.config import Settings
from zerokeep.retention_audit.fake_upstream import FakeUpstream
from zerokeep.retention_audit.instance import AuditInstance, instance_settings
from zerokeep.retention_audit.report import verify
from zerokeep.retention_audit.runner import AuditOptions, LiveTarget, run_audit

SECRET = "live-audit-secret-" + "l" * 40


@pytest.fixture(scope="module")
def live_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("live") / "data"
    settings = Settings(data_dir=data_dir, secret_key=SECRET)
    with FakeUpstream() as fake:
        instance = AuditInstance(instance_settings(settings, fake)).start()
        try:
            organizations = instance.create_organizations("retention-audit-live-test")
            target = LiveTarget(
                instance.base_url,
                organizations["zdr"].api_key,
                organizations["control"].api_key,
                verify_purge_now=True,
            )
            deployment = settings.model_copy(update={"max_body_bytes": 1024 * 1024})
            return run_audit(AuditOptions(deployment, live=target))
        finally:
            instance.stop()


class TestLiveMode:
    def test_passes_and_verifies(self, live_report: dict[str, Any]) -> None:
        report = live_report["report"]
        assert report["mode"] == "live"
        assert report["failures"] == []
        assert verify(live_report).is_valid

    def test_paths_needing_the_fake_upstream_are_marked_skipped(
        self, live_report: dict[str, Any]
    ) -> None:
        paths = {call["name"]: call for call in live_report["report"]["traffic"]["failure_paths"]}
        assert paths["upstream-500-echo"]["skipped"]
        assert paths["rate-limited"]["skipped"]
        assert paths["oversized-body"]["status"] == 413
        assert paths["malformed-json"]["status"] == 422

    def test_control_found_and_purged_now(self, live_report: dict[str, Any]) -> None:
        control = live_report["report"]["positive_control"]
        assert control["routes_missing"] == []
        assert control["latest_expiry"] is not None
        assert control["purge"] == "verified"
        assert control["rows_after_purge"] == 0

    def test_captured_log_is_not_claimed(self, live_report: dict[str, Any]) -> None:
        sinks = {sink["name"]: sink for sink in live_report["report"]["sinks"]}
        assert sinks["captured-log"]["status"] == "not-present"
        assert sinks["sqlite"]["status"] == "scanned"


def test_live_needs_the_keys(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zerokeep.cli.main import app

    result = CliRunner().invoke(app, ["audit", "retention", "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
