"""`zerokeep training export`: the retained data eligible for model improvement."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.runtime import CliContext, console, fail, run_in_session
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.training.export import EXCLUSION_REASONS, ExportExists, Manifest, export_training_data

app = typer.Typer(help="Training data export.", no_args_is_help=True)


@app.command()
def export(
    out: Path = typer.Option(..., "--out", help="An empty or new directory to write into."),
) -> None:
    """Write records.jsonl (eligible archive records) and manifest.json (counts, reasons)."""

    async def work(session: AsyncSession, context: CliContext) -> Manifest:
        keys = key_service_from_settings(
            context.settings, legacy_wrapping_key=context.keys.key_wrapping
        )
        return await export_training_data(session, keys, out, actor=CLI, now=SystemClock().now())

    try:
        manifest = run_in_session(work)
    except ExportExists as error:
        fail(str(error))
    excluded = ", ".join(
        f"{reason} {manifest.excluded_records(reason)}" for reason in EXCLUSION_REASONS
    )
    console.print(
        f"Export {manifest.export_id}: {manifest.included_records} records from "
        f"{len(manifest.included)} organizations written to {out}; excluded: {excluded}.",
        highlight=False,
    )
