"""Data: the organization's files, recently deleted objects (restore, purge date), and the
legal holds on it. Owners and admins delete and restore; everyone sees.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.batch import service as batch_service
from zerokeep.console.screen import open_screen
from zerokeep.errors import PermissionDenied
from zerokeep.files import service as files_service
from zerokeep.files.repository import FileFilter
from zerokeep.files.service import Caller
from zerokeep.lifecycle import holds
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.user.roles import Role

PAGE_SIZE = 100


def _require_manager(role: Role) -> None:
    if not role.can_manage_privacy:
        raise PermissionDenied("Only an owner or admin can delete or restore data.")


async def data(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        caller = Caller(organization.id, screen.viewer.user_id)
        files, total = await files_service.list_page(screen.db, caller, FileFilter(), 0, PAGE_SIZE)
        all_holds = await holds.list_for_organization(screen.db, organization.id)
        return screen.render(
            "data.html",
            organization=organization,
            role=role,
            files=files,
            total=total,
            batch_jobs=await batch_service.recent(screen.db, organization.id),
            deleted=await lifecycle_service.list_deleted(screen.db, organization.id),
            active_holds=[hold for hold in all_holds if hold.lifted_at is None],
            can_manage=role.can_manage_privacy,
        )


async def delete_file(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_manager(role)
        caller = Caller(organization.id, screen.viewer.user_id)
        await files_service.delete(
            screen.db, screen.actor, caller, request.path_params["file_id"], screen.state.clock
        )
        return screen.redirect(f"/orgs/{organization.id}/data", notice="file-deleted")


async def restore(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        _require_manager(role)
        await lifecycle_service.restore(
            screen.db,
            screen.actor,
            organization.id,
            request.path_params["deletion_id"],
            screen.state.clock,
        )
        return screen.redirect(f"/orgs/{organization.id}/data", notice="restored")


routes = [
    Route("/orgs/{organization_id}/data", data, methods=["GET"]),
    Route("/orgs/{organization_id}/data/files/{file_id}/delete", delete_file, methods=["POST"]),
    Route("/orgs/{organization_id}/data/deleted/{deletion_id}/restore", restore, methods=["POST"]),
]
