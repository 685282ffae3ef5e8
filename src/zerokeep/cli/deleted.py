"""`zerokeep deleted`: recently deleted objects, restore during the grace period, purge-due."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.blobs import blob_store_from_settings
from zerokeep.cli.runtime import CliContext, console, run_in_session, settings_or_exit
from zerokeep.db import create_engine, session_factory
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import SystemClock
from zerokeep.lifecycle import purge
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.lifecycle.kinds import Purger
from zerokeep.lifecycle.schemas import DeletedObject
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.models import Deletion
from zerokeep.organization import service as organization_service
from zerokeep.secret import load_keys

app = typer.Typer(help="Recently deleted data: list, restore, purge.", no_args_is_help=True)


@app.command("list")
def list_deleted(
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    include_purged: bool = typer.Option(False, "--include-purged", help="Show purged too."),
) -> None:
    """Deleted objects with their purge date (and hold) while they can still be restored."""

    async def work(session: AsyncSession, _: CliContext) -> list[DeletedObject]:
        organization = await organization_service.get(session, org)
        return await lifecycle_service.list_deleted(
            session, organization.id, include_purged=include_purged
        )

    table = Table("deletion", "kind", "object", "status", "bytes", "deleted", "purge after", "held")
    for item in run_in_session(work):
        table.add_row(
            item.id,
            item.object_kind,
            item.object_id,
            item.status.value,
            str(item.size_bytes),
            f"{item.deleted_at:%Y-%m-%d %H:%M}",
            f"{item.purge_after:%Y-%m-%d %H:%M}",
            "HELD" if item.is_held else "",
        )
    console.print(table)


@app.command()
def restore(deletion_id: str) -> None:
    """Restore a deleted object (and what was deleted with it) during its grace period."""

    async def work(session: AsyncSession, _: CliContext) -> Deletion:
        return await lifecycle_service.restore(session, CLI, None, deletion_id, SystemClock())

    deletion = run_in_session(work)
    console.print(f"Restored {deletion.object_kind} {deletion.object_id}.", highlight=False)


@app.command("purge-due")
def purge_due() -> None:
    """Purge every deletion whose grace period is over (the server does this on its own)."""
    settings = settings_or_exit()
    keys = load_keys(settings)

    async def main() -> int:
        engine = create_engine(settings.resolved_database_url)
        blobs = blob_store_from_settings(settings)
        try:
            key_service = key_service_from_settings(settings, legacy_wrapping_key=keys.key_wrapping)
            purger = Purger(
                FileStorage(blobs, key_service), SystemClock(), keys.report_signing_seed
            )
            return await purge.purge_due(session_factory(engine), purger)
        finally:
            await blobs.aclose()
            await engine.dispose()

    console.print(f"Purged {asyncio.run(main())} deletion(s).")
