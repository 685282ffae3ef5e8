"""`zerokeep audit`: the governance audit log and its hash chain; the retention audit and its
signed report (`retention`, `verify-report`, `public-key`)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.cli.listing import JSON_OPTION, Row, print_listing
from zerokeep.cli.runtime import (
    CliContext,
    console,
    error_console,
    fail,
    run_in_session,
    settings_or_exit,
)
from zerokeep.config import Settings, SettingsError, load_settings
from zerokeep.models import AuditEvent
from zerokeep.secret import SECRET_FILE_NAME, load_keys

app = typer.Typer(help="Audit log and retention evidence.", no_args_is_help=True)


@app.command("verify-chain")
def verify_chain() -> None:
    """Recompute the audit log's hash chain; exit 1 if any event was altered or removed."""

    async def work(session: AsyncSession, _: CliContext) -> audit_service.ChainReport:
        return await audit_service.verify_chain(session)

    report = run_in_session(work)
    if not report.is_intact:
        fail(report.summary)
    console.print(report.summary)


@app.command()
def log(
    org: str | None = typer.Option(None, "--org", help="Only this organization's id."),
    action: str | None = typer.Option(None, "--action", help="Only this action."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the latest audit events, newest first."""

    async def work(session: AsyncSession, _: CliContext) -> list[AuditEvent]:
        return await audit_service.list_events(session, org, limit, action=action)

    rows: list[Row] = [
        {
            "id": event.id,
            "when": event.occurred_at,
            "actor": event.actor,
            "action": event.action,
            "target": event.target,
            "organization": event.organization_id,
            "details": ", ".join(f"{key}={value}" for key, value in sorted(event.details.items())),
        }
        for event in run_in_session(work)
    ]
    columns = ["id", "when", "actor", "action", "target", "organization", "details"]
    print_listing(
        rows,
        columns,
        as_json=as_json,
        empty="No audit events.",
        id_columns=("id", "actor", "action", "target", "organization"),
    )


@app.command("retention")
def retention(
    out: Path = typer.Option(Path("retention-audit.json"), "--out", help="The signed report."),
    ephemeral: bool = typer.Option(
        False, help="Self-contained on a temporary data dir and SQLite, not the configured stores."
    ),
    base_url: str | None = typer.Option(None, help="Audit a running deployment at this URL."),
    zdr_key: str | None = typer.Option(None, help="Live: an API key of a ZDR organization."),
    control_key: str | None = typer.Option(None, help="Live: a key of a non-ZDR organization."),
    staff_key: str | None = typer.Option(None, help="Live: a staff key (optional)."),
    data_dir: Path | None = typer.Option(None, help="The deployment's data directory."),
    database_url: str | None = typer.Option(None, help="The deployment's database URL."),
    redis_url: str | None = typer.Option(None, help="The deployment's Redis URL."),
    log_file: list[Path] = typer.Option([], "--log-file", help="A log file (repeatable)."),
    outbox: Path | None = typer.Option(None, help="The email outbox (Maildir)."),
    verify_purge_now: bool = typer.Option(
        False, help="Live: purge the control organization's archive now and check it is gone."
    ),
) -> None:
    """Send canaries through every route and failure path, scan every sink, check the positive
    control, and write a signed report. Exit 0 on PASS, 1 on FAIL."""
    from zerokeep.retention_audit.report import verify
    from zerokeep.retention_audit.runner import AuditOptions, LiveTarget, run_audit
    from zerokeep.retention_audit.summary import print_summary

    overrides = {"data_dir": data_dir, "database_url": database_url, "redis_url": redis_url}
    settings = _settings_with({key: value for key, value in overrides.items() if value})
    live = None
    if base_url is not None:
        if zdr_key is None or control_key is None:
            fail("--base-url needs --zdr-key and --control-key.", code=2)
        if not (settings.secret_key or (settings.data_dir / SECRET_FILE_NAME).exists()):
            fail("Live mode needs the deployment's secret: --data-dir or ZEROKEEP_SECRET_KEY.", 2)
        live = LiveTarget(base_url, zdr_key, control_key, staff_key, verify_purge_now)
    options = AuditOptions(
        settings, ephemeral, live, tuple(log_file), outbox, console=error_console
    )
    try:
        document = run_audit(options)
    except RuntimeError as error:
        fail(str(error))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    if not ephemeral:
        # An audit of this deployment's own stores (or of it live) is what /trust publishes.
        from zerokeep.trust.statement import save_latest_report

        save_latest_report(settings, document)
    print_summary(console, document["report"])
    console.print(f"Signed report: {out} ({verify(document).message})", highlight=False)
    if document["report"]["verdict"] != "PASS":
        raise typer.Exit(1)


@app.command("verify-report")
def verify_report(
    file: Path,
    public_key: str | None = typer.Option(None, help="The deployment's pinned public key."),
) -> None:
    """Check a retention audit report's signature (and that the pinned key made it)."""
    from zerokeep.retention_audit.report import verify

    try:
        document = json.loads(file.read_text())
    except (OSError, ValueError) as error:
        fail(f"cannot read {file}: {type(error).__name__}")
    result = verify(document, public_key)
    if not result.is_valid:
        fail(f"{file}: {result.message}")
    console.print(f"{file}: {result.message}", highlight=False)


@app.command("public-key")
def public_key() -> None:
    """Print this deployment's report-signing public key, for customers to pin."""
    from zerokeep.kit.signing import public_key_of

    print(public_key_of(load_keys(settings_or_exit()).report_signing_seed))


def _settings_with(overrides: dict[str, object]) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        fail(str(error), code=2)
