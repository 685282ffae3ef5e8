"""The ZDR request workflow: submit, withdraw, approve, deny (the staff switch and plan changes
revoke too: switch.py).

Every transition is audited, moves the organization's ZDR state, and queues its emails, all in
the caller's unit of work (services flush, never commit). The audit events ask for the policy
cache to be dropped after the commit (invalidation.py), so the next gateway call sees the new state.

    request = await zdr_request_service.submit(session, actor, org, requested_by_user_id=None,
                                                role=Role.ADMIN, form=ZdrRequestCreate(...))
    await zdr_request_service.approve(session, staff_actor, request.id, reason="DPA signed")
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.email.templates import Template
from zerokeep.errors import Conflict, InvalidRequest, NotFound, PermissionDenied, ZerokeepError
from zerokeep.kit.clock import SystemClock
from zerokeep.kit.ids import new_id
from zerokeep.models import Organization, ZdrRequest
from zerokeep.organization import repository as organization_repository
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan, ZdrState
from zerokeep.tenancy import get_scoped
from zerokeep.user.roles import Role
from zerokeep.zdr_request import notices, repository
from zerokeep.zdr_request.schemas import ZdrRequestCreate, ZdrRequestStatus

MIN_USE_CASE_CHARS = 40
MIN_LEGAL_BASIS_CHARS = 10
MAX_CATEGORY_CHARS = 100
MAX_REASON_CHARS = 2000
_CONTACT_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\".]+(\.[^@\s<>,;\".]+)+$")


class InsufficientJustification(ZerokeepError):
    """The request lacks detail; the message names every missing part (never the input)."""

    status_code = 422
    error_type = "invalid_request_error"
    code = "insufficient_justification"
    default_message = "The ZDR request needs more detail."

    def __init__(self, missing: list[str], message: str) -> None:
        super().__init__(message, param=missing[0] if missing else None)
        self.missing = missing


class ReviewItem(NamedTuple):
    request: ZdrRequest
    organization: Organization


def _require_manager(role: Role) -> None:
    if not role.can_manage_privacy:
        raise PermissionDenied(
            "Only an owner or admin of the organization can request or withdraw ZDR."
        )


def check_justification(form: ZdrRequestCreate) -> list[str]:
    """The cleaned data categories; raises InsufficientJustification naming what is missing."""
    categories = [category.strip() for category in form.data_categories if category.strip()]
    problems: list[tuple[str, str]] = []
    if len(form.use_case.strip()) < MIN_USE_CASE_CHARS:
        problems.append(
            ("use_case", f"describe the use case in at least {MIN_USE_CASE_CHARS} characters")
        )
    if not categories:
        problems.append(("data_categories", "list the data categories the API calls will carry"))
    elif any(len(category) > MAX_CATEGORY_CHARS for category in categories):
        problems.append(
            ("data_categories", f"keep each data category under {MAX_CATEGORY_CHARS} characters")
        )
    if len(form.legal_basis.strip()) < MIN_LEGAL_BASIS_CHARS:
        problems.append(
            (
                "legal_basis",
                "give the legal or contractual basis "
                f"(at least {MIN_LEGAL_BASIS_CHARS} characters)",
            )
        )
    if not _CONTACT_EMAIL.match(form.contact_email.strip()):
        problems.append(("contact_email", "give a contact email address"))
    if problems:
        text = "; ".join(problem for _, problem in problems)
        raise InsufficientJustification(
            [field for field, _ in problems], text[0].upper() + text[1:] + "."
        )
    return categories


async def submit(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    *,
    requested_by_user_id: str | None,
    role: Role,
    form: ZdrRequestCreate,
) -> ZdrRequest:
    """File a pending request; the organization's ZDR state becomes pending."""
    _require_manager(role)
    if organization.plan != Plan.SCALE.value:
        raise organization_service.ZdrRequiresScale()
    await organization_repository.lock(session, organization.id)
    if organization.zdr_state == ZdrState.ACTIVE.value:
        raise Conflict("ZDR is already active for this organization.")
    pending = (ZdrRequestStatus.PENDING.value,)
    if await repository.find_with_status(session, organization.id, pending):
        raise Conflict(
            "This organization already has a pending ZDR request: wait for the decision, "
            "or withdraw it first."
        )
    categories = check_justification(form)
    previous = organization.zdr_state
    request = ZdrRequest(
        id=new_id("zdr"),
        organization_id=organization.id,
        requested_by_user_id=requested_by_user_id,
        status=ZdrRequestStatus.PENDING.value,
        use_case=form.use_case.strip(),
        data_categories=categories,
        legal_basis=form.legal_basis.strip(),
        contact_email=form.contact_email.strip(),
        previous_zdr_state=previous if previous == ZdrState.REVOKED.value else ZdrState.OFF.value,
        created_at=SystemClock().now(),
    )
    session.add(request)
    await session.flush()
    await audit_service.record(
        session,
        actor,
        AuditAction.ZDR_REQUEST_SUBMITTED,
        target=request.id,
        organization_id=organization.id,
        status=request.status,
        data_categories=len(categories),
    )
    await organization_service.change_zdr_state(
        session, actor, organization, ZdrState.PENDING, reason="zdr_request_submitted"
    )
    await notices.to_requester(session, request, organization, Template.ZDR_REQUEST_RECEIVED)
    await notices.to_staff(session, request, organization)
    return request


async def withdraw(
    session: AsyncSession, actor: Actor, organization_id: str, request_id: str, role: Role
) -> ZdrRequest:
    """Withdraw a pending request; the ZDR state goes back to what it was before it."""
    _require_manager(role)
    request = await _locked(session, request_id, organization_id)
    _require_pending(request, "withdrawn")
    organization = await organization_service.get(session, organization_id)
    await _close(session, actor, request, ZdrRequestStatus.WITHDRAWN, reason=None)
    await organization_service.change_zdr_state(
        session,
        actor,
        organization,
        ZdrState(request.previous_zdr_state),
        reason="zdr_request_withdrawn",
    )
    return request


async def approve(
    session: AsyncSession, actor: Actor, request_id: str, *, reason: str
) -> ZdrRequest:
    """Staff: approve a pending request; ZDR is active for the organization at once."""
    request = await _locked(session, request_id)
    _require_pending(request, "approved")
    organization = await organization_service.get(session, request.organization_id)
    if organization.plan != Plan.SCALE.value:
        raise organization_service.ZdrRequiresScale()
    note = _reason(reason, required=False)
    await _close(session, actor, request, ZdrRequestStatus.APPROVED, reason=note)
    await organization_service.change_zdr_state(
        session, actor, organization, ZdrState.ACTIVE, reason="zdr_request_approved"
    )
    await notices.to_requester(
        session, request, organization, Template.ZDR_REQUEST_APPROVED, reason=note or "(none)"
    )
    return request


async def deny(session: AsyncSession, actor: Actor, request_id: str, *, reason: str) -> ZdrRequest:
    """Staff: deny a pending request with a reason, which is emailed to the requester."""
    note = _reason(reason, required=True)
    request = await _locked(session, request_id)
    _require_pending(request, "denied")
    organization = await organization_service.get(session, request.organization_id)
    await _close(session, actor, request, ZdrRequestStatus.DENIED, reason=note)
    await organization_service.change_zdr_state(
        session, actor, organization, ZdrState.OFF, reason="zdr_request_denied"
    )
    await notices.to_requester(
        session, request, organization, Template.ZDR_REQUEST_DENIED, reason=note or ""
    )
    return request


async def list_for_organization(session: AsyncSession, organization_id: str) -> list[ZdrRequest]:
    """The organization's requests, newest first."""
    return await repository.list_for_organization(session, organization_id)


async def latest_for_organization(session: AsyncSession, organization_id: str) -> ZdrRequest | None:
    return await repository.latest_for_organization(session, organization_id)


async def review_queue(session: AsyncSession) -> list[ReviewItem]:
    """Staff: pending requests of every organization, oldest first."""
    rows = await repository.pending_with_organizations(session)
    return [ReviewItem(request, organization) for request, organization in rows]


async def list_all(session: AsyncSession, limit: int = 500) -> list[ReviewItem]:
    """Staff and operator: requests of every organization in any state, newest first."""
    rows = await repository.list_all(session, limit)
    return [ReviewItem(request, organization) for request, organization in rows]


async def get_for_organization(
    session: AsyncSession, organization_id: str, request_id: str
) -> ZdrRequest:
    """One request of this organization; another organization's id is a 404."""
    return await get_scoped(session, ZdrRequest, request_id, organization_id)


async def get_for_staff(session: AsyncSession, request_id: str) -> ZdrRequest:
    request = await repository.find_any(session, request_id)
    if request is None:
        raise NotFound("No such ZDR request.")
    return request


async def _locked(
    session: AsyncSession, request_id: str, organization_id: str | None = None
) -> ZdrRequest:
    request = await repository.find_for_decision(session, request_id, organization_id)
    if request is None:
        raise NotFound(
            "No such ZDR request in this organization."
            if organization_id
            else "No such ZDR request."
        )
    return request


def _require_pending(request: ZdrRequest, verb: str) -> None:
    if request.status != ZdrRequestStatus.PENDING.value:
        raise Conflict(f"Only a pending ZDR request can be {verb}; this one is {request.status}.")


def _reason(reason: str, *, required: bool) -> str | None:
    text = reason.strip()
    if required and not text:
        raise InvalidRequest(
            "A denial needs a reason: it is emailed to the requester.", param="reason"
        )
    if len(text) > MAX_REASON_CHARS:
        raise InvalidRequest(
            f"Keep the reason under {MAX_REASON_CHARS} characters.", param="reason"
        )
    return text or None


async def _close(
    session: AsyncSession,
    actor: Actor,
    request: ZdrRequest,
    status: ZdrRequestStatus,
    *,
    reason: str | None,
) -> None:
    old = request.status
    request.status = status.value
    request.decided_at = SystemClock().now()
    if status is not ZdrRequestStatus.WITHDRAWN:
        request.reviewer = str(actor)
        request.decision_reason = reason
    action = {
        ZdrRequestStatus.APPROVED: AuditAction.ZDR_REQUEST_APPROVED,
        ZdrRequestStatus.DENIED: AuditAction.ZDR_REQUEST_DENIED,
        ZdrRequestStatus.WITHDRAWN: AuditAction.ZDR_REQUEST_WITHDRAWN,
    }[status]
    await session.flush()
    await audit_service.record(
        session,
        actor,
        action,
        target=request.id,
        organization_id=request.organization_id,
        old=old,
        new=request.status,
    )
