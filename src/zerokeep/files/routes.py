"""The Files API routes (thin): parse, authorize, call the service. Every route is stateful:
an organization that blocks stateful APIs gets 403 (dependencies.require_stateful)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import StreamingResponse

from zerokeep.auth import access
from zerokeep.auth.context import AuthContext
from zerokeep.db import read_only, unit_of_work
from zerokeep.dependencies import StateDep, StatefulBlocked, StatefulDep, require_stateful
from zerokeep.errors import InvalidRequest, NotFound
from zerokeep.files import repository, signed_url
from zerokeep.files import service as files_service
from zerokeep.files.repository import FileFilter
from zerokeep.files.schemas import (
    FileDeleted,
    FileList,
    FileObject,
    FilePurpose,
    SampleType,
    SignedUrl,
    Source,
)
from zerokeep.files.service import Caller
from zerokeep.files.upload import UploadStream
from zerokeep.organization import repository as organization_repository
from zerokeep.retention.policy import StatefulPolicy
from zerokeep.state import AppState

router = APIRouter(prefix="/v1/files", tags=["files"])
MAX_PAGE_SIZE = 1000


@router.post("")
async def upload_file(request: Request, context: StatefulDep, state: StateDep) -> FileObject:
    """multipart/form-data: `file` (required), `purpose`, `visibility`, `expiry` (days)."""
    stream = UploadStream(
        request.headers.get("content-type"), request.stream(), state.settings.max_file_bytes
    )
    stored = await files_service.upload(
        state.sessions, state.files, _caller(context), stream, state.clock
    )
    return FileObject.of(stored)


@router.get("")
async def list_files(
    context: StatefulDep,
    state: StateDep,
    page: Annotated[int, Query(ge=0)] = 0,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    include_total: bool = True,
    sample_type: Annotated[list[SampleType] | None, Query()] = None,
    source: Annotated[list[Source] | None, Query()] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    purpose: FilePurpose | None = None,
    mimetypes: Annotated[list[str] | None, Query()] = None,
) -> FileList:
    filters = FileFilter(
        purpose=purpose.value if purpose else None,
        sample_types=[value.value for value in sample_type or []],
        sources=[value.value for value in source or []],
        mimetypes=list(mimetypes or []),
        search=search or None,
    )
    async with read_only(state.sessions) as session:
        files, total = await repository.page(
            session, context.organization_id, context.user_id, filters, page, page_size
        )
    return FileList(
        data=[FileObject.of(stored) for stored in files], total=total if include_total else None
    )


@router.get("/{file_id}")
async def retrieve_file(file_id: str, context: StatefulDep, state: StateDep) -> FileObject:
    async with read_only(state.sessions) as session:
        stored = await repository.get_visible(
            session, context.organization_id, context.user_id, file_id
        )
    return FileObject.of(stored)


@router.delete("/{file_id}")
async def delete_file(file_id: str, context: StatefulDep, state: StateDep) -> FileDeleted:
    """Hidden at once; restorable until the organization's grace period ends, then purged."""
    async with unit_of_work(state.sessions) as session:
        await files_service.delete(
            session, access.actor_of(context), _caller(context), file_id, state.clock
        )
    return FileDeleted(id=file_id)


@router.get("/{file_id}/content", response_class=StreamingResponse)
async def download_file(
    file_id: str,
    request: Request,
    state: StateDep,
    expires: str | None = None,
    signature: str | None = None,
) -> StreamingResponse:
    """With an API key, or without one through a signed URL until it expires."""
    async with read_only(state.sessions) as session:
        if signature is not None and expires is not None:
            signed_url.check(_url_key(state), file_id, expires, signature, state.clock.now())
            stored = await repository.find_live(session, file_id)
            organization = (
                await organization_repository.find(session, stored.organization_id)
                if stored
                else None
            )
            if stored is None or organization is None or organization.deleted_at is not None:
                raise NotFound("No such file.")
            if organization.stateful_policy == StatefulPolicy.BLOCK.value:
                raise StatefulBlocked()
        else:
            context = await require_stateful(
                await state.gateway.authenticator.authenticate(request.headers.get("authorization"))
            )
            stored = await repository.get_visible(
                session, context.organization_id, context.user_id, file_id
            )
        chunks = await files_service.content(session, state.files, stored)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={"content-length": str(stored.size_bytes)},
    )


@router.get("/{file_id}/url")
async def get_signed_url(
    file_id: str,
    request: Request,
    context: StatefulDep,
    state: StateDep,
    expiry: int = signed_url.DEFAULT_EXPIRY_HOURS,
) -> SignedUrl:
    """A URL that downloads the file without an API key for `expiry` hours (1 to 168)."""
    if not signed_url.MIN_EXPIRY_HOURS <= expiry <= signed_url.MAX_EXPIRY_HOURS:
        raise InvalidRequest(
            f"expiry is {signed_url.MIN_EXPIRY_HOURS} to {signed_url.MAX_EXPIRY_HOURS} hours.",
            param="expiry",
        )
    async with read_only(state.sessions) as session:
        stored = await repository.get_visible(
            session, context.organization_id, context.user_id, file_id
        )
    base_url = state.settings.public_url or str(request.base_url)
    expires_at = state.clock.now() + timedelta(hours=expiry)
    return SignedUrl(url=signed_url.sign(_url_key(state), base_url, stored.id, expires_at))


def _caller(context: AuthContext) -> Caller:
    return Caller(context.organization_id, context.user_id)


def _url_key(state: AppState) -> bytes:
    return state.keys.file_url_signing
