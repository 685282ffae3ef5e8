"""What hide, restore and purge mean for a whole organization and for a user account.

Both go through the same path as every object they own: deleting them deletes (as children of
the same deletion) each of their stateful objects, and purging them purges those first.
Purging an organization then destroys every key it has, so whatever those keys encrypted,
wherever a copy lives (backups included), can no longer be read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.lifecycle.file_kind import FILE_HANDLER
from zerokeep.lifecycle.kinds import Purged, Purger
from zerokeep.models import ApiKey, ArchiveRecord, Membership, Organization, StoredFile, User


class OrganizationHandler:
    async def hide(
        self, session: AsyncSession, organization_id: str | None, object_id: str, now: datetime
    ) -> int:
        organization = await session.get(Organization, object_id)
        if organization is None:
            return 0
        organization.deleted_at = now
        return 0

    async def restore(
        self, session: AsyncSession, organization_id: str | None, object_id: str
    ) -> None:
        organization = await session.get(Organization, object_id)
        if organization is not None:
            organization.deleted_at = None

    async def purge(
        self, session: AsyncSession, purger: Purger, organization_id: str | None, object_id: str
    ) -> Purged:
        size = 0
        rows = 0
        file_ids = (
            await session.execute(
                select(StoredFile.id).where(StoredFile.organization_id == object_id)
            )
        ).scalars()
        for file_id in list(file_ids):
            purged = await FILE_HANDLER.purge(session, purger, object_id, file_id)
            size += purged.size_bytes
            rows += purged.rows_deleted
        archived = await session.execute(
            delete(ArchiveRecord).where(ArchiveRecord.organization_id == object_id)
        )
        rows += int(getattr(archived, "rowcount", 0) or 0)
        keys = await purger.storage.destroy_organization_keys(session, object_id)
        organization = await session.get(Organization, object_id)
        if organization is not None:
            await session.delete(organization)  # api keys, memberships, requests cascade
            rows += 1
        await session.flush()
        return Purged(size_bytes=size, keys_destroyed=keys, rows_deleted=rows)


class UserHandler:
    async def hide(
        self, session: AsyncSession, organization_id: str | None, object_id: str, now: datetime
    ) -> int:
        user = await session.get(User, object_id)
        if user is None:
            return 0
        user.deleted_at = now
        user.session_version += 1  # every console session ends at once
        return 0

    async def restore(
        self, session: AsyncSession, organization_id: str | None, object_id: str
    ) -> None:
        user = await session.get(User, object_id)
        if user is not None:
            user.deleted_at = None

    async def purge(
        self, session: AsyncSession, purger: Purger, organization_id: str | None, object_id: str
    ) -> Purged:
        size = 0
        rows = 0
        own_files = select(StoredFile.id).where(
            StoredFile.created_by_user_id == object_id, StoredFile.visibility == "user"
        )
        for file_id in list((await session.execute(own_files)).scalars()):
            purged = await FILE_HANDLER.purge(session, purger, None, file_id)
            size += purged.size_bytes
            rows += purged.rows_deleted
        await session.execute(
            update(ApiKey)
            .where(ApiKey.user_id == object_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=purger.clock.now())
        )
        await session.execute(delete(Membership).where(Membership.user_id == object_id))
        user = await session.get(User, object_id)
        if user is not None:
            await session.delete(user)
            rows += 1
        await session.flush()
        return Purged(size_bytes=size, keys_destroyed=0, rows_deleted=rows)


ORGANIZATION_HANDLER = OrganizationHandler()
USER_HANDLER = UserHandler()
