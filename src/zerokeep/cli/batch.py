"""`zerokeep batch`: list an organization's batch jobs, show one with its progress, cancel one."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.batch import service as batch_service
from zerokeep.batch.schemas import BatchJobObject
from zerokeep.batch.service import Caller
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.organization import service as organization_service

app = typer.Typer(help="Jobs of the Batch API.", no_args_is_help=True)
ORG = typer.Option(..., "--org", help="Organization id or slug.")


@app.command("list")
def list_jobs(org: str = ORG) -> None:
    """The organization's latest batch jobs, newest first, with their progress."""

    async def work(session: AsyncSession, _: CliContext) -> list[BatchJobObject]:
        organization = await organization_service.get(session, org)
        return await batch_service.recent(session, organization.id)

    table = Table("id", "endpoint", "model", "status", "done", "total", "failed")
    for job in run_in_session(work):
        table.add_row(
            job.id,
            job.endpoint,
            job.model or "",
            job.status.value,
            str(job.completed_requests),
            str(job.total_requests),
            str(job.failed_requests),
        )
    console.print(table)


@app.command()
def show(job_id: str, org: str = ORG) -> None:
    """One job as the API returns it (JSON)."""

    async def work(session: AsyncSession, _: CliContext) -> BatchJobObject:
        organization = await organization_service.get(session, org)
        return await batch_service.show(session, organization.id, job_id)

    console.print_json(run_in_session(work).model_dump_json())


@app.command()
def cancel(job_id: str, org: str = ORG) -> None:
    """Stop a job: lines not yet run are not run; finished ones go to its output file."""

    async def work(session: AsyncSession, _: CliContext) -> str:
        organization = await organization_service.get(session, org)
        job = await batch_service.cancel(session, Caller(organization.id, None, "cli"), job_id)
        return job.status

    console.print(f"Batch job {job_id}: {run_in_session(work)}.", highlight=False)
