"""Privacy settings: ZDR status with dates and its request history, training opt-out (a
separate control), abuse-monitoring window, stateful policy, upstream ZDR requirement.

Everyone in the organization reads them; only owners and admins get (and may use) the controls.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import Screen, open_screen
from zerokeep.errors import InvalidRequest, PermissionDenied
from zerokeep.models import Organization
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import MAX_ABUSE_WINDOW_DAYS, PrivacyUpdate
from zerokeep.retention.policy import StatefulPolicy
from zerokeep.user.roles import Role
from zerokeep.zdr_request import service as zdr_request_service

WINDOW_ERROR = (
    f"The abuse-monitoring window is a whole number of days from 0 to {MAX_ABUSE_WINDOW_DAYS} "
    "(0 keeps nothing in the archive)."
)


async def _page(
    screen: Screen,
    organization: Organization,
    role: Role,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    return screen.render(
        "privacy.html",
        status_code=status_code,
        organization=organization,
        role=role,
        settings=await privacy_service.read(screen.db, organization),
        history=await zdr_request_service.list_for_organization(screen.db, organization.id),
        can_edit=role.can_manage_privacy,
        max_window=MAX_ABUSE_WINDOW_DAYS,
        error=error,
    )


async def privacy(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        return await _page(screen, organization, role)


def _require_editor(role: Role) -> None:
    # The service checks this too; refusing here first keeps a member's forged form from
    # reaching any parsing or validation.
    if not role.can_manage_privacy:
        raise PermissionDenied("Only an owner or admin of the organization can change privacy.")


def _retention_changes(screen: Screen) -> PrivacyUpdate:
    try:
        days = int(screen.field("abuse_window_days"))
        return PrivacyUpdate(
            abuse_window_days=days,
            stateful_policy=StatefulPolicy(screen.field("stateful_policy")),
            requires_upstream_zdr=screen.checked("requires_upstream_zdr"),
        )
    except (ValueError, ValidationError) as error:
        raise InvalidRequest(WINDOW_ERROR, param="abuse_window_days") from error


async def update_training(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_editor(role)
        changes = PrivacyUpdate(training_opt_out=screen.field("training_opt_out") == "on")
        await privacy_service.update(screen.db, screen.actor, organization, role, changes)
        response = screen.redirect(f"/orgs/{organization.id}/privacy", notice="privacy-saved")
    return response


async def update_retention(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_editor(role)
        try:
            changes = _retention_changes(screen)
            await privacy_service.update(screen.db, screen.actor, organization, role, changes)
        except InvalidRequest as error:
            await screen.db.rollback()
            organization, role = await screen.organization()
            return await _page(screen, organization, role, status_code=400, error=error.message)
        response = screen.redirect(f"/orgs/{organization.id}/privacy", notice="privacy-saved")
    return response


routes = [
    Route("/orgs/{organization_id}/privacy", privacy, methods=["GET"]),
    Route("/orgs/{organization_id}/privacy/training", update_training, methods=["POST"]),
    Route("/orgs/{organization_id}/privacy/retention", update_retention, methods=["POST"]),
]
