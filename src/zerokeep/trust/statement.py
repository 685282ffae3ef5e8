"""The Trust statement, built from the endpoint catalogue, the settings and the latest signed
retention audit report: nothing on it is hand-written, so it cannot drift from what runs.

    statement = build(settings, report_public_key)      # GET /v1/trust, /trust
    save_latest_report(settings, document)             # `zerokeep audit retention` does this
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from zerokeep.config import ProviderSettings, Settings
from zerokeep.retention.catalogue import (
    CONTROL_PREFIXES,
    STATEFUL_PREFIXES,
    STATELESS_ENDPOINTS,
)

LATEST_REPORT = "retention-audit-latest.json"


class RouteInfo(BaseModel):
    path: str
    summary: str


class Subprocessor(BaseModel):
    name: str
    kind: str
    where: str
    declared_retention: str  # "none", or "N days"
    models: list[str]


class AuditSummary(BaseModel):
    verdict: str
    mode: str
    finished_at: str
    version: str
    failures: int
    report_url: str


class TrustStatement(BaseModel):
    deployment: str
    zdr_eligible_routes: list[RouteInfo]
    stateful_route_prefixes: list[str]
    control_route_prefixes: list[str]
    default_archive_window_days: int
    archive_purge_interval_seconds: float
    pre_zdr_archive: str
    subprocessors: list[Subprocessor]
    latest_retention_audit: AuditSummary | None
    report_public_key: str
    verify_command: str
    dpa_url: str | None
    contact: str | None


def _where(provider: ProviderSettings) -> str:
    if provider.kind == "local":
        return "this machine"
    if provider.kind == "mistral":
        return urlsplit(provider.base_url or "https://api.mistral.ai").netloc
    return urlsplit(provider.base_url or "").netloc or "(not configured)"


def _retention(provider: ProviderSettings) -> str:
    days = provider.retention_days
    return "none" if days is None else f"{days} days"


def latest_report_path(settings: Settings) -> Path:
    return settings.data_dir / LATEST_REPORT


def save_latest_report(settings: Settings, document: dict[str, Any]) -> Path:
    """Keep a signed report as the deployment's latest (it holds no content: canary hashes,
    routes, sinks and counts)."""
    path = latest_report_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)
    return path


def read_latest_report(settings: Settings) -> dict[str, Any] | None:
    try:
        document = json.loads(latest_report_path(settings).read_text())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _summary(document: dict[str, Any] | None, base_url: str) -> AuditSummary | None:
    report = document.get("report") if document else None
    if not isinstance(report, dict):
        return None
    return AuditSummary(
        verdict=str(report.get("verdict", "")),
        mode=str(report.get("mode", "")),
        finished_at=str(report.get("finished_at", "")),
        version=str(report.get("version", "")),
        failures=len(report.get("failures") or []),
        report_url=f"{base_url}/trust/retention-audit.json",
    )


def build(settings: Settings, report_public_key: str) -> TrustStatement:
    models_of: dict[str, list[str]] = {}
    for model in settings.models:
        providers = [model.provider] if model.provider else [d.provider for d in model.deployments]
        for provider in dict.fromkeys(providers):
            models_of.setdefault(provider, []).append(model.name)
    base = settings.base_url.rstrip("/")
    return TrustStatement(
        deployment=base,
        zdr_eligible_routes=[
            RouteInfo(path=str(endpoint.path), summary=endpoint.summary)
            for endpoint in STATELESS_ENDPOINTS
        ],
        stateful_route_prefixes=list(STATEFUL_PREFIXES),
        control_route_prefixes=list(CONTROL_PREFIXES),
        default_archive_window_days=settings.default_abuse_window_days,
        archive_purge_interval_seconds=settings.archive_purge_interval_seconds,
        pre_zdr_archive="purged when ZDR is approved",
        subprocessors=[
            Subprocessor(
                name=provider.name,
                kind=provider.kind,
                where=_where(provider),
                declared_retention=_retention(provider),
                models=models_of.get(provider.name, []),
            )
            for provider in settings.providers
        ],
        latest_retention_audit=_summary(read_latest_report(settings), base),
        report_public_key=report_public_key,
        verify_command=(
            f"curl -s {base}/trust/retention-audit.json -o report.json && "
            f"zerokeep audit verify-report report.json --public-key {report_public_key}"
        ),
        dpa_url=settings.trust_dpa_url,
        contact=settings.trust_contact,
    )
