"""`zerokeep files`: list an organization's files and delete one (through the lifecycle)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.files import repository as files_repository
from zerokeep.files import service as files_service
from zerokeep.files.repository import FileFilter
from zerokeep.files.service import Caller
from zerokeep.kit.clock import SystemClock
from zerokeep.models import Deletion, StoredFile
from zerokeep.organization import service as organization_service

app = typer.Typer(help="Files of the Files API.", no_args_is_help=True)


@app.command("list")
def list_files(
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    purpose: str | None = typer.Option(None, help="fine-tune, batch, ocr or audio."),
) -> None:
    """List an organization's live files (deleted ones: `zerokeep deleted list`)."""

    async def work(session: AsyncSession, _: CliContext) -> list[StoredFile]:
        organization = await organization_service.get(session, org)
        files, _total = await files_repository.page(
            session, organization.id, None, FileFilter(purpose=purpose), 0, 1000
        )
        return files

    table = Table("id", "filename", "purpose", "bytes", "created", "visibility")
    for stored in run_in_session(work):
        table.add_row(
            stored.id,
            escape(stored.filename),
            stored.purpose,
            str(stored.size_bytes),
            f"{stored.created_at:%Y-%m-%d %H:%M}",
            stored.visibility,
        )
    console.print(table)


@app.command()
def delete(
    file_id: str,
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
) -> None:
    """Delete a file: hidden now, purged after the organization's grace period."""

    async def work(session: AsyncSession, _: CliContext) -> Deletion:
        organization = await organization_service.get(session, org)
        caller = Caller(organization.id, None)
        return await files_service.delete(session, CLI, caller, file_id, SystemClock())

    deletion = run_in_session(work)
    console.print(
        f"Deleted file {file_id} (deletion {deletion.id}); purge after "
        f"{deletion.purge_after:%Y-%m-%d %H:%M} UTC.",
        highlight=False,
    )
