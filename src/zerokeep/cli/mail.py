"""`zerokeep email`: deliver the outbox now (SMTP if ZEROKEEP_SMTP_URL is set, else Maildir)."""

from __future__ import annotations

import typer

from zerokeep.cli.runtime import console, fail, run_against_database, settings_or_exit
from zerokeep.db import create_engine, session_factory
from zerokeep.email.delivery import transport_for
from zerokeep.email.tasks import DeliveryReport, deliver_due
from zerokeep.kit.clock import SystemClock

app = typer.Typer(help="Governance emails (the outbox).", no_args_is_help=True)


@app.command("send-pending")
def send_pending() -> None:
    """Try every due pending email once; failures stay pending and are retried later."""
    settings = settings_or_exit()
    try:
        transport = transport_for(settings)
    except ValueError as error:
        fail(f"ZEROKEEP_SMTP_URL: {error}", code=2)

    async def main() -> DeliveryReport:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await deliver_due(
                session_factory(engine),
                transport,
                SystemClock(),
                settings.email_from,
                settings.base_url,
            )
        finally:
            await engine.dispose()

    report = run_against_database(settings, main())
    console.print(
        f"Emails via {transport.name}: {report.sent} sent, {report.retrying} to retry, "
        f"{report.failed} failed for good."
    )
    if report.retrying or report.failed:
        raise typer.Exit(1)
