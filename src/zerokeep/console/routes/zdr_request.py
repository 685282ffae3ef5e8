"""ZDR request: the form (use case, data categories, legal basis, contact), the organization's
requests with their outcome, and withdrawal while pending. Submitting and withdrawing are for
owners and admins; members see the status only."""

from __future__ import annotations

import re

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import Screen, open_screen
from zerokeep.errors import InvalidRequest, PermissionDenied, ZerokeepError
from zerokeep.models import Organization
from zerokeep.retention.policy import Plan, ZdrState
from zerokeep.user.roles import Role
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request.schemas import ZdrRequestCreate, ZdrRequestStatus

TOO_LONG = "A field is too long: keep the use case under 4000 characters and the basis under 2000."


def _form_values(screen: Screen) -> dict[str, str]:
    names = ("use_case", "data_categories", "legal_basis", "contact_email")
    return {name: screen.field(name) for name in names}


def _parsed(values: dict[str, str]) -> ZdrRequestCreate:
    categories = [part.strip() for part in re.split(r"[\n,;]", values["data_categories"])]
    try:
        return ZdrRequestCreate(
            use_case=values["use_case"],
            data_categories=[category for category in categories if category],
            legal_basis=values["legal_basis"],
            contact_email=values["contact_email"],
        )
    except ValidationError as error:
        raise InvalidRequest(TOO_LONG) from error


async def _page(
    screen: Screen,
    organization: Organization,
    role: Role,
    *,
    status_code: int = 200,
    error: str | None = None,
    invalid: frozenset[str] = frozenset(),
    values: dict[str, str] | None = None,
) -> Response:
    history = await zdr_request_service.list_for_organization(screen.db, organization.id)
    has_pending = any(item.status == ZdrRequestStatus.PENDING for item in history)
    return screen.render(
        "zdr_request.html",
        status_code=status_code,
        organization=organization,
        role=role,
        history=history,
        can_manage=role.can_manage_privacy,
        needs_scale=organization.plan != Plan.SCALE.value,
        can_submit=not has_pending and organization.zdr_state != ZdrState.ACTIVE.value,
        error=error,
        invalid=invalid,
        values=values or {"contact_email": screen.viewer.email},
    )


async def zdr_request(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        return await _page(screen, organization, role)


async def submit(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        if not role.can_manage_privacy:
            raise PermissionDenied("Only an owner or admin of the organization can request ZDR.")
        values = _form_values(screen)
        try:
            await zdr_request_service.submit(
                screen.db,
                screen.actor,
                organization,
                requested_by_user_id=screen.viewer.user_id,
                role=role,
                form=_parsed(values),
            )
        except PermissionDenied:
            raise
        except ZerokeepError as error:
            await screen.db.rollback()
            organization, role = await screen.organization()
            missing = getattr(error, "missing", [])
            return await _page(
                screen,
                organization,
                role,
                status_code=error.status_code,
                error=error.message,
                invalid=frozenset(missing),
                values=values,
            )
        response = screen.redirect(f"/orgs/{organization.id}/zdr", notice="zdr-submitted")
    return response


async def withdraw(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        await zdr_request_service.withdraw(
            screen.db, screen.actor, organization.id, request.path_params["request_id"], role
        )
        response = screen.redirect(f"/orgs/{organization.id}/zdr", notice="zdr-withdrawn")
    return response


routes = [
    Route("/orgs/{organization_id}/zdr", zdr_request, methods=["GET"]),
    Route("/orgs/{organization_id}/zdr", submit, methods=["POST"]),
    Route("/orgs/{organization_id}/zdr/{request_id}/withdraw", withdraw, methods=["POST"]),
]
