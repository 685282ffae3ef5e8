"""Recently deleted objects, restore, signed deletion receipts, and the organization's legal
holds, over JSON for the calling organization (control plane: metadata only)."""

from __future__ import annotations

from fastapi import APIRouter

from zerokeep.auth import access
from zerokeep.db import read_only, unit_of_work
from zerokeep.dependencies import ApiKeyDep, StateDep
from zerokeep.errors import Conflict
from zerokeep.lifecycle import holds, repository
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.lifecycle.schemas import (
    DeletedList,
    DeletedObject,
    DeletionReceipt,
    LegalHoldList,
    LegalHoldView,
)

router = APIRouter(prefix="/v1/organization", tags=["deletion"])


@router.get("/deleted")
async def list_deleted(
    context: ApiKeyDep, state: StateDep, include_purged: bool = False
) -> DeletedList:
    """What was deleted and can still be restored (with `include_purged`, receipts too)."""
    async with read_only(state.sessions) as session:
        views = await lifecycle_service.list_deleted(
            session, context.organization_id, include_purged=include_purged
        )
    return DeletedList(data=views)


@router.post("/deleted/{deletion_id}/restore")
async def restore(deletion_id: str, context: ApiKeyDep, state: StateDep) -> DeletedObject:
    async with unit_of_work(state.sessions) as session:
        deletion = await lifecycle_service.restore(
            session, access.actor_of(context), context.organization_id, deletion_id, state.clock
        )
    return DeletedObject.model_validate(deletion)


@router.get("/deleted/{deletion_id}/receipt")
async def receipt(deletion_id: str, context: ApiKeyDep, state: StateDep) -> DeletionReceipt:
    """The signed receipt of a purge: `zerokeep receipt verify FILE --public-key KEY`."""
    async with read_only(state.sessions) as session:
        deletion = await repository.get_for_organization(
            session, context.organization_id, deletion_id
        )
    if deletion.receipt is None:
        raise Conflict("Not purged yet: the receipt is written when the purge runs.")
    return DeletionReceipt.model_validate(deletion.receipt)


@router.get("/legal-holds")
async def list_legal_holds(context: ApiKeyDep, state: StateDep) -> LegalHoldList:
    """Legal holds on this organization or its objects: while active, they block purges."""
    async with read_only(state.sessions) as session:
        found = await holds.list_for_organization(session, context.organization_id)
    return LegalHoldList(data=[LegalHoldView.model_validate(hold) for hold in found])
