"""Rules of the Files API: upload (streamed, checked), list, get, download, sign, delete.

stored = await files_service.upload(sessions, storage, caller, stream, clock)
chunks = await files_service.content(session, storage, stored)
deletion = await files_service.delete(session, actor, caller, file_id, clock)
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zerokeep.audit.actions import Actor
from zerokeep.db import unit_of_work
from zerokeep.errors import InvalidRequest
from zerokeep.files import repository
from zerokeep.files.checks import JSONL_MIMETYPE, SAMPLE_TYPES, check_content, parse_purpose
from zerokeep.files.schemas import Source, Visibility
from zerokeep.files.upload import UploadStream
from zerokeep.kit.clock import Clock
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.lifecycle.kinds import ObjectKind
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.models import Deletion, StoredFile
from zerokeep.organization import service as organization_service

MAX_FILENAME_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Caller:
    organization_id: str
    user_id: str | None


def blob_name(organization_id: str, file_id: str) -> str:
    return f"files/{organization_id}/{file_id}"


async def upload(
    sessions: async_sessionmaker[AsyncSession],
    storage: FileStorage,
    caller: Caller,
    stream: UploadStream,
    clock: Clock,
) -> StoredFile:
    """Stream the file into the blob store, then check it; a rejected file leaves nothing.

    Unlike other services this one runs its own units of work: an upload of hundreds of
    megabytes must not hold a database transaction (on SQLite, the write lock) while it
    streams. The key is made first, the bytes stream with no transaction open, then the row.
    """
    file_id = str(uuid.uuid4())  # Mistral file ids are UUIDs
    name = blob_name(caller.organization_id, file_id)
    async with unit_of_work(sessions) as session:
        key_id, key = await storage.new_key(session, caller.organization_id, file_id)
    try:
        size = await storage.blobs.put(name, stream.file_chunks(), key)
        purpose = parse_purpose(stream.fields.get("purpose"))
        visibility = _visibility(stream.fields.get("visibility"))
        expiry_days = _expiry(stream.fields.get("expiry"))
        filename = (stream.filename or "").strip()
        if not filename or len(filename) > MAX_FILENAME_LENGTH:
            raise InvalidRequest(
                f"The file needs a filename of 1 to {MAX_FILENAME_LENGTH} characters.",
                param="file",
            )
        mimetype = check_content(purpose, filename, stream.inspection)
        now = clock.now()
        async with unit_of_work(sessions) as session:
            stored = StoredFile(
                id=file_id,
                organization_id=caller.organization_id,
                created_by_user_id=caller.user_id,
                filename=filename,
                purpose=purpose.value,
                sample_type=SAMPLE_TYPES[purpose].value,
                source=Source.UPLOAD.value,
                visibility=visibility.value,
                mimetype=mimetype,
                size_bytes=size,
                num_lines=stream.inspection.lines if mimetype == JSONL_MIMETYPE else None,
                blob_name=name,
                encryption_key_id=key_id,
                created_at=now,
                expires_at=now + timedelta(days=expiry_days) if expiry_days else None,
            )
            session.add(stored)
    except BaseException:
        # Nothing of a rejected or interrupted upload stays: the blob and its key go.
        async with unit_of_work(sessions) as session:
            await storage.destroy(session, key_id, name)
        raise
    return stored


async def list_page(
    session: AsyncSession,
    caller: Caller,
    filters: repository.FileFilter,
    page: int = 0,
    page_size: int = 100,
) -> tuple[list[StoredFile], int]:
    return await repository.page(
        session, caller.organization_id, caller.user_id, filters, page, page_size
    )


async def content(
    session: AsyncSession, storage: FileStorage, stored: StoredFile
) -> AsyncIterator[bytes]:
    return await storage.read(session, stored.encryption_key_id, stored.blob_name)


async def delete(
    session: AsyncSession, actor: Actor, caller: Caller, file_id: str, clock: Clock
) -> Deletion:
    """Hide the file now; it is purged after the organization's grace period."""
    stored = await repository.get_visible(session, caller.organization_id, caller.user_id, file_id)
    organization = await organization_service.get(session, caller.organization_id)
    return await lifecycle_service.delete(
        session, actor, organization, ObjectKind.FILE, stored.id, clock
    )


def _visibility(value: str | None) -> Visibility:
    if not value:
        return Visibility.WORKSPACE
    try:
        return Visibility(value)
    except ValueError:
        raise InvalidRequest(
            "Unknown visibility: use workspace or user.", param="visibility"
        ) from None


def _expiry(value: str | None) -> int | None:
    if value is None or value in ("", "null"):
        return None
    try:
        days = int(value)
    except ValueError:
        raise InvalidRequest("expiry is a whole number of days.", param="expiry") from None
    if not 1 <= days <= 3650:
        raise InvalidRequest("expiry is 1 to 3650 days.", param="expiry")
    return days
