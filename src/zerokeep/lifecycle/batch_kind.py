"""What hide, restore and purge mean for a batch job: its lines, its key, and the job row.

It lives in lifecycle/ (reading the shared models only) so lifecycle never imports a product.

The job's output and error files are Files API objects of their own (listed and deleted like
any file); an organization's deletion reaches them through the files it owns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.lifecycle.kinds import Purged, Purger
from zerokeep.models import BatchJob, BatchLine


class BatchJobHandler:
    async def hide(
        self, session: AsyncSession, organization_id: str | None, object_id: str, now: datetime
    ) -> int:
        job = await session.get(BatchJob, object_id)
        if job is not None:
            job.deleted_at = now
        return 0

    async def restore(
        self, session: AsyncSession, organization_id: str | None, object_id: str
    ) -> None:
        job = await session.get(BatchJob, object_id)
        if job is not None:
            job.deleted_at = None

    async def purge(
        self, session: AsyncSession, purger: Purger, organization_id: str | None, object_id: str
    ) -> Purged:
        job = await session.get(BatchJob, object_id)
        if job is None:
            return Purged()
        await session.execute(delete(BatchLine).where(BatchLine.job_id == job.id))
        await purger.storage.keys.destroy_key(session, job.encryption_key_id)
        await session.delete(job)
        await session.flush()
        return Purged(keys_destroyed=1, rows_deleted=1)


BATCH_JOB_HANDLER = BatchJobHandler()
