"""The audit's outcome: its verdict (and every reason for a FAIL), and the report body.

outcome = Outcome(mode="self-contained", ...)
body = outcome.body()      # what report.sign() signs
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from zerokeep import __version__
from zerokeep.retention_audit.canary import Canary
from zerokeep.retention_audit.control import ControlResult
from zerokeep.retention_audit.report import REPORT_FORMAT
from zerokeep.retention_audit.sinks import SinkResult, SinkStatus
from zerokeep.retention_audit.stateful import StatefulResult
from zerokeep.retention_audit.traffic import CallResult


@dataclass(slots=True)
class Outcome:
    mode: str
    deployment_id: str
    started_at: datetime
    finished_at: datetime
    configuration: dict[str, Any]
    canaries: list[Canary]
    routes: list[CallResult] = field(default_factory=list)
    failure_paths: list[CallResult] = field(default_factory=list)
    control_traffic: list[CallResult] = field(default_factory=list)
    sinks: list[SinkResult] = field(default_factory=list)
    control: ControlResult | None = None
    stateful: StatefulResult | None = None
    is_strict_about_traffic: bool = True  # self-contained: every call must behave as expected

    def failures(self) -> list[str]:
        """Why the audit fails; empty means PASS."""
        reasons = [
            f"sink {sink.name}: the {finding.canary} canary ({finding.encoding}) "
            f"at {finding.location}, offset {finding.offset}"
            for sink in self.sinks
            for finding in sink.findings
        ]
        reasons += [
            f"sink {sink.name} could not be scanned: {sink.reason}"
            for sink in self.sinks
            if sink.status is SinkStatus.ERROR
        ]
        if self.is_strict_about_traffic:
            reasons += [
                f"traffic {call.name} ({call.organization}): status {call.status}, "
                f"expected {'/'.join(map(str, call.expected))}"
                for call in (*self.routes, *self.failure_paths, *self.control_traffic)
                if not call.is_as_expected
            ]
        reasons += self._control_failures()
        if self.stateful is not None:
            reasons += self.stateful.failures
        return reasons

    def _control_failures(self) -> list[str]:
        control = self.control
        if control is None:
            return ["positive control: not run"]
        reasons = []
        if control.records_found == 0:
            reasons.append("positive control: no archive record of the control organization")
        if control.routes_missing:
            reasons.append(
                "positive control: the canary is missing from the archive for "
                + ", ".join(control.routes_missing)
            )
        is_sqlite = self.configuration.get("database_backend") == "sqlite"
        if (
            control.purge == "verified"
            and is_sqlite
            and not control.ciphertext_on_disk_before_purge
        ):
            reasons.append(
                "positive control: the archived ciphertext was not found in the database files "
                "before the purge, so its absence afterwards proves nothing"
            )
        if control.purge == "failed":
            reasons.append(
                f"positive control: after the purge {control.rows_after_purge} row(s) remain "
                f"and the ciphertext is in {len(control.ciphertext_on_disk_after_purge)} file(s)"
            )
        return reasons

    @property
    def verdict(self) -> str:
        return "FAIL" if self.failures() else "PASS"

    def body(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "deployment_id": self.deployment_id,
            "version": __version__,
            "mode": self.mode,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "duration_ms": int((self.finished_at - self.started_at).total_seconds() * 1000),
            "configuration": self.configuration,
            "canaries": [
                {"label": canary.label, "sha256": canary.fingerprint} for canary in self.canaries
            ],
            "traffic": {
                "routes": [_call(call) for call in self.routes],
                "failure_paths": [_call(call) for call in self.failure_paths],
                "control": [_call(call) for call in self.control_traffic],
            },
            "sinks": [_sink(sink) for sink in self.sinks],
            "positive_control": asdict(self.control) if self.control else None,
            "stateful": asdict(self.stateful) if self.stateful else None,
            "verdict": self.verdict,
            "failures": self.failures(),
        }


def _call(call: CallResult) -> dict[str, Any]:
    return {
        "name": call.name,
        "route": call.route,
        "organization": call.organization,
        "status": call.status,
        "expected": list(call.expected),
        "as_expected": call.is_as_expected,
        "skipped": call.is_skipped,
        "note": call.note,
    }


def _sink(sink: SinkResult) -> dict[str, Any]:
    return {
        "name": sink.name,
        "kind": sink.kind,
        "status": sink.status.value,
        "reason": sink.reason,
        "scanned": asdict(sink.scanned),
        "findings": [asdict(finding) for finding in sink.findings],
        "notes": sink.notes,
    }
