"""ZDR requests over JSON: the organization's own (owner/admin) and the staff review queue.

Another organization's request id is a 404 (tenancy door); staff endpoints need the key of a
platform staff user and act on any organization. Every change commits, then the policy cache
is dropped (an after-commit hook, see invalidation.py): the next gateway call sees the new state.
"""

from __future__ import annotations

from fastapi import APIRouter

from zerokeep.auth import access
from zerokeep.db import unit_of_work
from zerokeep.dependencies import ApiKeyDep, SessionDep, StateDep
from zerokeep.organization import service as organization_service
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request.schemas import (
    ReviewDecision,
    ZdrRequest,
    ZdrRequestCreate,
    ZdrRequestForReview,
    ZdrRequestList,
    ZdrReviewQueue,
)

router = APIRouter(prefix="/v1/organization/zdr-requests", tags=["zdr requests"])
staff_router = APIRouter(prefix="/v1/staff/zdr-requests", tags=["staff"])


@router.get("")
async def list_requests(context: ApiKeyDep, session: SessionDep) -> ZdrRequestList:
    requests = await zdr_request_service.list_for_organization(session, context.organization_id)
    return ZdrRequestList(data=[ZdrRequest.model_validate(request) for request in requests])


@router.post("", status_code=201)
async def submit_request(form: ZdrRequestCreate, context: ApiKeyDep, state: StateDep) -> ZdrRequest:
    """Owner or admin of a Scale organization: request ZDR with its legitimate reasons."""
    async with unit_of_work(state.sessions) as session:
        organization = await organization_service.get(session, context.organization_id)
        request = await zdr_request_service.submit(
            session,
            access.actor_of(context),
            organization,
            requested_by_user_id=context.user_id,
            role=await access.role_of(session, context),
            form=form,
        )
        return ZdrRequest.model_validate(request)


@router.get("/{request_id}")
async def get_request(request_id: str, context: ApiKeyDep, session: SessionDep) -> ZdrRequest:
    request = await zdr_request_service.get_for_organization(
        session, context.organization_id, request_id
    )
    return ZdrRequest.model_validate(request)


@router.post("/{request_id}/withdraw")
async def withdraw_request(request_id: str, context: ApiKeyDep, state: StateDep) -> ZdrRequest:
    async with unit_of_work(state.sessions) as session:
        request = await zdr_request_service.withdraw(
            session,
            access.actor_of(context),
            context.organization_id,
            request_id,
            await access.role_of(session, context),
        )
        return ZdrRequest.model_validate(request)


@staff_router.get("")
async def review_queue(context: ApiKeyDep, session: SessionDep) -> ZdrReviewQueue:
    """Staff: pending requests of every organization, oldest first."""
    await access.require_staff(session, context)
    items = await zdr_request_service.review_queue(session)
    return ZdrReviewQueue(
        data=[
            ZdrRequestForReview.model_validate(
                {
                    **ZdrRequest.model_validate(item.request).model_dump(),
                    "organization_name": item.organization.name,
                    "organization_slug": item.organization.slug,
                    "organization_plan": item.organization.plan,
                }
            )
            for item in items
        ]
    )


@staff_router.post("/{request_id}/approve")
async def approve_request(
    request_id: str, decision: ReviewDecision, context: ApiKeyDep, state: StateDep
) -> ZdrRequest:
    async with unit_of_work(state.sessions) as session:
        await access.require_staff(session, context)
        request = await zdr_request_service.approve(
            session, access.actor_of(context), request_id, reason=decision.reason
        )
        return ZdrRequest.model_validate(request)


@staff_router.post("/{request_id}/deny")
async def deny_request(
    request_id: str, decision: ReviewDecision, context: ApiKeyDep, state: StateDep
) -> ZdrRequest:
    async with unit_of_work(state.sessions) as session:
        await access.require_staff(session, context)
        request = await zdr_request_service.deny(
            session, access.actor_of(context), request_id, reason=decision.reason
        )
        return ZdrRequest.model_validate(request)
