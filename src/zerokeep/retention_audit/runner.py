"""Run the retention audit: traffic, sink scans, positive control, signed report.

Self-contained (default): starts the gateway in-process on the configured stores (or a
temporary data dir and SQLite with `ephemeral=True`), behind the audit's fake upstream, with
three organizations named `retention-audit-<timestamp>-{zdr,control,rate-limited}` that are left
in place as a record. Live (`live=LiveTarget(...)`): talks to a running deployment.

    document = run_audit(AuditOptions(settings=load_settings(), ephemeral=True))
    document["report"]["verdict"]      # "PASS" or "FAIL"
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from zerokeep.config import Settings
from zerokeep.kit.signing import deployment_id
from zerokeep.lifecycle.purge import purge_due, purger_for
from zerokeep.retention.catalogue import Route
from zerokeep.retention_audit import report
from zerokeep.retention_audit.canary import Canary, Scanner
from zerokeep.retention_audit.capture import LogCapture
from zerokeep.retention_audit.control import (
    ControlResult,
    ciphertext_files,
    inspect_archive,
    purge_and_check,
    summarize,
)
from zerokeep.retention_audit.failures import FailureTarget, send_failures
from zerokeep.retention_audit.fake_upstream import FakeUpstream
from zerokeep.retention_audit.instance import (
    AUDIT_MODEL,
    AuditInstance,
    Hooks,
    instance_settings,
)
from zerokeep.retention_audit.live import run_live
from zerokeep.retention_audit.outcome import Outcome
from zerokeep.retention_audit.sinks import SINKS, ScanContext
from zerokeep.retention_audit.sinks.sqlite import database_path
from zerokeep.retention_audit.stateful import (
    StatefulResult,
    blob_sample,
    scan_after_purge,
    upload_and_check,
)
from zerokeep.retention_audit.steps import Steps, progress, scan_sinks
from zerokeep.retention_audit.traffic import send_routes
from zerokeep.secret import load_keys


@dataclass(frozen=True, slots=True, repr=False)
class LiveTarget:
    base_url: str
    zdr_key: str
    control_key: str
    staff_key: str | None = None
    verify_purge_now: bool = False

    def __repr__(self) -> str:
        return f"<LiveTarget {self.base_url}>"


@dataclass(frozen=True, slots=True)
class AuditOptions:
    settings: Settings
    ephemeral: bool = False
    live: LiveTarget | None = None
    log_files: tuple[Path, ...] = ()
    outbox: Path | None = None
    hooks: Hooks | None = None
    console: Console | None = None  # where the progress bar goes; None: no progress bar


def run_audit(options: AuditOptions) -> dict[str, Any]:
    """Run the audit and return the signed report document."""
    keys = load_keys(options.settings)
    if options.live is not None:
        outcome = run_live(options.settings, options.live, keys, options)
    else:
        outcome = _run_self_contained(options, deployment_id(keys.report_signing_seed))
    return report.sign(outcome.body(), keys.report_signing_seed)


def _run_self_contained(options: AuditOptions, deployment_id: str) -> Outcome:
    started = datetime.now(UTC)
    started_at = time.time()
    work_dir = Path(tempfile.mkdtemp(prefix="zerokeep-audit-"))
    settings = options.settings
    if options.ephemeral:
        keys = load_keys(settings)
        update = {
            "data_dir": work_dir / "data",
            "database_url": None,
            "secret_key": keys.master.decode(),
        }
        settings = settings.model_copy(update=update)
    canaries = [Canary.new("zdr"), Canary.new("control")]
    try:
        with (
            progress(options.console, 9 + len(SINKS)) as steps,
            LogCapture(work_dir / "zerokeep-audit.log") as capture,
            FakeUpstream() as fake,
        ):
            steps.step("starting the gateway")
            audited = instance_settings(settings, fake)
            with AuditInstance(audited, options.hooks).start() as instance:
                outcome = Outcome(
                    "self-contained",
                    deployment_id,
                    started,
                    started,
                    _configuration(audited, options),
                    canaries,
                )
                zdr_key = _self_contained_traffic(instance, fake, canaries, outcome, steps)
                instance.flush()
                context = ScanContext(
                    Scanner(canaries),
                    started_at,
                    instance.base_url,
                    audited.data_dir,
                    audited.resolved_database_url,
                    audited.redis_url,
                    (*options.log_files, capture.log_file),
                    capture.output,
                    options.outbox,
                )
                outcome.sinks = scan_sinks(context, steps)
                steps.step("positive control")
                outcome.control = _self_contained_control(
                    instance,
                    canaries[1],
                    context,
                    outcome.configuration["organizations"]["control"],
                    scoped=not options.ephemeral,
                )
                steps.step("stateful: header and purge")
                outcome.stateful = _self_contained_stateful(instance, zdr_key, context)
                steps.step("done")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    outcome.finished_at = datetime.now(UTC)
    return outcome


def _self_contained_traffic(
    instance: AuditInstance,
    fake: FakeUpstream,
    canaries: list[Canary],
    outcome: Outcome,
    steps: Steps,
) -> str:
    """Send the traffic; returns the ZDR organization's key."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    organizations = instance.create_organizations(f"retention-audit-{stamp}")
    outcome.configuration["organizations"] = {
        role: organization.organization_id for role, organization in organizations.items()
    }
    models = {route: AUDIT_MODEL for route in Route}
    zdr, control = canaries
    steps.step("ZDR traffic: every route")
    outcome.routes = send_routes(
        instance.base_url, organizations["zdr"].api_key, models, zdr, "zdr"
    )
    steps.step("ZDR traffic: every failure path")
    target = FailureTarget(
        instance.base_url,
        organizations["zdr"].api_key,
        AUDIT_MODEL,
        instance.settings.max_body_bytes,
        fake,
        organizations["rate-limited"].api_key,
    )
    outcome.failure_paths = send_failures(target, zdr)
    steps.step("control traffic (non-ZDR org)")
    outcome.control_traffic = send_routes(
        instance.base_url, organizations["control"].api_key, models, control, "control"
    )
    return organizations["zdr"].api_key


def _self_contained_control(
    instance: AuditInstance,
    canary: Canary,
    context: ScanContext,
    organization_id: str,
    *,
    scoped: bool,
) -> ControlResult:
    state = instance.state
    archived = instance.run(
        inspect_archive(state.sessions, state.key_service, organization_id, canary)
    )
    result = summarize(organization_id, archived)
    if not result.is_found:
        result.purge = "not run: the control was not found"
        return result
    local_files = _local_database_files(context)
    result.ciphertext_on_disk_before_purge = asyncio.run(
        ciphertext_files(local_files, None, archived.sealed, context.started_at)
    )
    purged, left = instance.run(
        purge_and_check(
            state.engine, state.sessions, instance.clock, organization_id, archived, scoped=scoped
        )
    )
    result.records_purged, result.rows_after_purge = purged, left
    result.ciphertext_on_disk_after_purge = asyncio.run(
        ciphertext_files(local_files, None, archived.sealed, context.started_at)
    )
    result.residue_after_purge = asyncio.run(
        ciphertext_files(lambda: [], context.database_url, archived.sealed, context.started_at)
    )
    is_gone = left == 0 and not result.ciphertext_on_disk_after_purge
    result.purge = "verified" if is_gone else "failed"
    if result.residue_after_purge:
        result.notes.append(
            "PostgreSQL keeps deleted tuples and WAL until VACUUM and segment recycling: the "
            "purged rows are gone from every query, their ciphertext lingers in the files listed"
        )
    return result


def _self_contained_stateful(
    instance: AuditInstance, zdr_key: str, context: ScanContext
) -> StatefulResult:
    """A ZDR organization's file says `stateful`; once purged, nothing of it remains."""
    canary = Canary.new("stateful")
    result, file_id = upload_and_check(instance.base_url, zdr_key, canary)
    if not file_id or context.data_dir is None:
        return result
    sample = blob_sample(context.data_dir, file_id)
    result.ciphertext_found_before_purge = sample is not None
    state = instance.state
    instance.run(purge_due(state.sessions, purger_for(state)))
    result.purged = blob_sample(context.data_dir, file_id) is None
    if sample is not None:
        scan_after_purge(
            result,
            canary,
            sample,
            _local_database_files(context),
            context.database_url,
            context.started_at,
        )
    return result


def _local_database_files(context: ScanContext) -> Callable[[], list[Path]]:
    def files() -> list[Path]:
        from zerokeep.retention_audit.sinks.base import regular_files

        paths: list[Path] = []
        database = database_path(context.database_url)
        if database is not None:
            paths += [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-journal")]
        if context.data_dir is not None:
            paths += list(regular_files(context.data_dir))
        return sorted({path for path in paths if path.exists()})

    return files


def _configuration(settings: Settings, options: AuditOptions) -> dict[str, Any]:
    url = settings.resolved_database_url
    return {
        "database_backend": "sqlite" if url.startswith("sqlite") else "postgresql",
        "ephemeral": options.ephemeral,
        "redis": settings.redis_url is not None,
        "max_body_bytes": settings.max_body_bytes,
        "log_files": len(options.log_files) + 1,
        "outbox": str(options.outbox) if options.outbox else None,
        "upstream": "the audit's fake upstream (echoes prompts; failure behaviours by model)",
    }
