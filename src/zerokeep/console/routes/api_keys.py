"""API keys: create (the plaintext is shown once, on the response to the POST), list, revoke.

Owners and admins manage every key of the organization; a member sees and manages their own.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.api_key import service as api_key_service
from zerokeep.api_key.limits import KeyLimits
from zerokeep.console.screen import Screen, open_screen
from zerokeep.errors import InvalidRequest, NotFound
from zerokeep.models import ApiKey, Organization
from zerokeep.user.roles import Role


async def _visible_keys(screen: Screen, organization: Organization, role: Role) -> list[ApiKey]:
    owner_filter = None if role.can_manage_members else screen.viewer.user_id
    return await api_key_service.list_for(screen.db, organization.id, owner_filter)


async def _page(
    screen: Screen,
    organization: Organization,
    role: Role,
    *,
    status_code: int = 200,
    created: ApiKey | None = None,
    plaintext: str | None = None,
    error: str | None = None,
    name: str = "",
) -> Response:
    return screen.render(
        "api_keys.html",
        status_code=status_code,
        organization=organization,
        role=role,
        keys=await _visible_keys(screen, organization, role),
        sees_all=role.can_manage_members,
        created=created,
        plaintext=plaintext,
        error=error,
        name=name,
    )


async def list_keys(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        return await _page(screen, organization, role)


async def create_key(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        name = screen.field("name")
        try:
            created, plaintext = await api_key_service.create(
                screen.db,
                screen.actor,
                screen.state.keys.api_key_hmac,
                organization,
                name=name,
                user_id=screen.viewer.user_id,
                limits=_limits(screen),
            )
        except InvalidRequest as error:
            return await _page(
                screen, organization, role, status_code=400, error=error.message, name=name
            )
        return await _page(
            screen, organization, role, status_code=201, created=created, plaintext=plaintext
        )


def _limits(screen: Screen) -> KeyLimits:
    """The optional per-key controls of the create form (blank: no limit)."""
    models = [name.strip() for name in screen.field("allowed_models").split(",") if name.strip()]
    return KeyLimits(
        frozenset(models) if models else None,
        _whole_number(screen, "requests_per_minute"),
        _whole_number(screen, "tokens_per_minute"),
        _whole_number(screen, "monthly_token_budget"),
    )


def _whole_number(screen: Screen, name: str) -> int | None:
    value = screen.field(name)
    if not value:
        return None
    if not value.isdigit():
        raise InvalidRequest(f"{name} must be a whole number (or blank for no limit).", param=name)
    return int(value)


async def revoke_key(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        key_id = request.path_params["key_id"]
        if key_id not in {key.id for key in await _visible_keys(screen, organization, role)}:
            # Another member's key is as invisible to a member as another tenant's.
            raise NotFound("No such API key in this organization.")
        if not screen.confirmed():
            return screen.confirm(
                "Revoke this API key?",
                "Every request that uses it fails with 401 from now on. This cannot be undone.",
                button="Revoke key",
                back=f"/orgs/{organization.id}/keys",
            )
        await api_key_service.revoke(screen.db, screen.actor, organization.id, key_id)
        response = screen.redirect(f"/orgs/{organization.id}/keys", notice="key-revoked")
    return response


routes = [
    Route("/orgs/{organization_id}/keys", list_keys, methods=["GET"]),
    Route("/orgs/{organization_id}/keys", create_key, methods=["POST"]),
    Route("/orgs/{organization_id}/keys/{key_id}/revoke", revoke_key, methods=["POST"]),
]
