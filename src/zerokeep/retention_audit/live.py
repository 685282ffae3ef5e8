"""The audit against a running deployment: its models from GET /v1/models, the keys the
operator gave, the stores it may read; the positive control decrypted with the deployment's
secret, and purged only with `--verify-purge-now`.

    outcome = run_live(settings, LiveTarget(base_url, zdr_key, control_key), keys, options)
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zerokeep.api_key import service as api_key_service
from zerokeep.config import Settings
from zerokeep.db import create_engine, session_factory
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import FrozenClock
from zerokeep.kit.signing import deployment_id
from zerokeep.retention.catalogue import Route
from zerokeep.retention_audit.canary import Canary, Scanner
from zerokeep.retention_audit.control import (
    Archived,
    ControlResult,
    ciphertext_files,
    inspect_archive,
    purge_and_check,
    summarize,
)
from zerokeep.retention_audit.failures import FailureTarget, send_failures
from zerokeep.retention_audit.outcome import Outcome
from zerokeep.retention_audit.rawhttp import RawHttp
from zerokeep.retention_audit.sinks import SINKS, ScanContext
from zerokeep.retention_audit.sinks.base import regular_files
from zerokeep.retention_audit.sinks.sqlite import database_path
from zerokeep.retention_audit.steps import progress, scan_sinks
from zerokeep.retention_audit.traffic import send_routes
from zerokeep.secret import DeploymentKeys

if TYPE_CHECKING:
    from zerokeep.retention_audit.runner import AuditOptions, LiveTarget

# The deployment writes its archive in batches off the hot path: wait this long for them.
ARCHIVE_WAIT_SECONDS = 15.0


def discover_models(base_url: str, api_key: str) -> dict[Route, str]:
    """The first model serving each stateless route, from the gateway's model cards."""
    response = RawHttp(base_url).request(
        "GET", "/v1/models", headers={"authorization": f"Bearer {api_key}"}
    )
    if response.status != 200:
        raise RuntimeError(f"GET /v1/models answered {response.status}: check --zdr-key")
    models: dict[Route, str] = {}
    for card in json.loads(response.body).get("data", []):
        for path in card.get("zerokeep", {}).get("routes", []):
            models.setdefault(Route(path), str(card["id"]))
    return models


def run_live(
    settings: Settings, live: LiveTarget, keys: DeploymentKeys, options: AuditOptions
) -> Outcome:
    started, started_at = datetime.now(UTC), time.time()
    canaries = [Canary.new("zdr"), Canary.new("control")]
    configuration = {
        "database_backend": "sqlite"
        if settings.resolved_database_url.startswith("sqlite")
        else "postgresql",
        "base_url": live.base_url,
        "redis": settings.redis_url is not None,
        "max_body_bytes": settings.max_body_bytes,
        "log_files": len(options.log_files),
        "verify_purge_now": live.verify_purge_now,
    }
    deployment = deployment_id(keys.report_signing_seed)
    outcome = Outcome("live", deployment, started, started, configuration, canaries)
    outcome.is_strict_about_traffic = False
    with progress(options.console, 6 + len(SINKS)) as steps:
        steps.step("discovering models")
        models = discover_models(live.base_url, live.zdr_key)
        chat = models.get(Route.CHAT_COMPLETIONS)
        steps.step("ZDR traffic: every route")
        outcome.routes = send_routes(live.base_url, live.zdr_key, models, canaries[0], "zdr")
        steps.step("ZDR traffic: every failure path")
        target = FailureTarget(live.base_url, live.zdr_key, chat, settings.max_body_bytes)
        outcome.failure_paths = send_failures(target, canaries[0])
        steps.step("control traffic (non-ZDR org)")
        outcome.control_traffic = send_routes(
            live.base_url, live.control_key, models, canaries[1], "control"
        )
        steps.step("waiting for the archive")
        control = asyncio.run(_control(settings, keys, live, canaries[1], started_at))
        context = ScanContext(
            Scanner(canaries),
            started_at,
            live.base_url,
            settings.data_dir if settings.data_dir.is_dir() else None,
            settings.resolved_database_url,
            settings.redis_url,
            options.log_files,
            None,
            options.outbox,
        )
        outcome.sinks = scan_sinks(context, steps)
        steps.step("positive control")
        if live.verify_purge_now and control.is_found:
            asyncio.run(_purge_now(settings, keys, control, started_at))
        steps.step("done")
    outcome.control = control
    outcome.finished_at = datetime.now(UTC)
    return outcome


async def _control(
    settings: Settings, keys: DeploymentKeys, live: LiveTarget, canary: Canary, since: float
) -> ControlResult:
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            found = await api_key_service.resolve(session, keys.api_key_hmac, live.control_key)
        if found is None:
            raise RuntimeError("--control-key is not an active key of this deployment")
        organization_id = found[1].id
        key_service = key_service_from_settings(settings, legacy_wrapping_key=keys.key_wrapping)
        deadline = time.monotonic() + ARCHIVE_WAIT_SECONDS
        archived = Archived()
        while time.monotonic() < deadline:
            archived = await inspect_archive(sessions, key_service, organization_id, canary)
            if not summarize(organization_id, archived).routes_missing:
                break
            await asyncio.sleep(0.5)  # the deployment's archive batches flush every 0.5 s
    finally:
        await engine.dispose()
    result = summarize(organization_id, archived)
    result.purge = "not verified in live mode"
    return result


async def _purge_now(
    settings: Settings, keys: DeploymentKeys, control: ControlResult, since: float
) -> None:
    """Purge the control organization's records (its own, nothing else) and check they are
    gone: rows, and ciphertext in the local database files."""
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    try:
        key_service = key_service_from_settings(settings, legacy_wrapping_key=keys.key_wrapping)
        archived = await inspect_archive(
            sessions, key_service, control.organization_id, Canary("control", "unused")
        )
        local = _local_files(settings)
        control.ciphertext_on_disk_before_purge = await ciphertext_files(
            lambda: local, None, archived.sealed, since
        )
        clock = FrozenClock(datetime.now(UTC))
        purged, left = await purge_and_check(
            engine, sessions, clock, control.organization_id, archived, scoped=True
        )
    finally:
        await engine.dispose()
    control.records_purged, control.rows_after_purge = purged, left
    control.ciphertext_on_disk_after_purge = await ciphertext_files(
        lambda: local, None, archived.sealed, since
    )
    control.residue_after_purge = await ciphertext_files(
        lambda: [], settings.resolved_database_url, archived.sealed, since
    )
    is_gone = left == 0 and not control.ciphertext_on_disk_after_purge
    control.purge = "verified" if is_gone else "failed"


def _local_files(settings: Settings) -> list[Path]:
    """The data dir's files and, for SQLite, the database files wherever they are."""
    paths = list(regular_files(settings.data_dir)) if settings.data_dir.is_dir() else []
    database = database_path(settings.resolved_database_url)
    if database is not None:
        paths += [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-journal")]
    return sorted({path for path in paths if path.exists()})
