"""Members: the organization's people and roles; owners and admins add, change and remove."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import Screen, open_screen
from zerokeep.errors import Conflict, InvalidRequest, PermissionDenied
from zerokeep.models import Organization
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as error:
        raise InvalidRequest("Choose a role: owner, admin or member.", param="role") from error


def _require_manager(role: Role) -> None:
    if not role.can_manage_members:
        raise PermissionDenied("Only an owner or an admin can manage members.")


async def _page(
    screen: Screen,
    organization: Organization,
    role: Role,
    *,
    status_code: int = 200,
    error: str | None = None,
    email: str = "",
) -> Response:
    return screen.render(
        "members.html",
        status_code=status_code,
        organization=organization,
        role=role,
        members=await user_service.list_members(screen.db, organization.id),
        roles=list(Role),
        can_manage=role.can_manage_members,
        error=error,
        email=email,
    )


async def list_members(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        return await _page(screen, organization, role)


async def add_member(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_manager(role)
        email = screen.field("email")
        try:
            _, created = await user_service.invite(
                screen.db,
                screen.actor,
                organization,
                email=email,
                role=_role(screen.field("role")),
                password=screen.field("password") or None,
                acting_role=role,
            )
        except (InvalidRequest, Conflict) as error:
            await screen.db.rollback()
            organization, role = await screen.organization()
            status = 409 if isinstance(error, Conflict) else 400
            return await _page(
                screen, organization, role, status_code=status, error=error.message, email=email
            )
        notice = "member-created" if created else "member-added"
        return screen.redirect(f"/orgs/{organization.id}/members", notice=notice)


async def change_role(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_manager(role)
        await user_service.change_role(
            screen.db,
            screen.actor,
            organization,
            request.path_params["user_id"],
            _role(screen.field("role")),
            acting_role=role,
        )
        return screen.redirect(f"/orgs/{organization.id}/members", notice="role-changed")


async def remove_member(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_manager(role)
        if not screen.confirmed():
            return screen.confirm(
                "Remove this member?",
                f"They lose access to {organization.name}, and the API keys they own here are "
                "revoked.",
                button="Remove member",
                back=f"/orgs/{organization.id}/members",
            )
        await user_service.remove_member(
            screen.db, screen.actor, organization, request.path_params["user_id"], acting_role=role
        )
        response = screen.redirect(f"/orgs/{organization.id}/members", notice="member-removed")
    return response


routes = [
    Route("/orgs/{organization_id}/members", list_members, methods=["GET"]),
    Route("/orgs/{organization_id}/members", add_member, methods=["POST"]),
    Route("/orgs/{organization_id}/members/{user_id}/role", change_role, methods=["POST"]),
    Route("/orgs/{organization_id}/members/{user_id}/remove", remove_member, methods=["POST"]),
]
