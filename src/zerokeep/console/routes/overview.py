"""Overview: plan, ZDR badge, retention regime and usage at a glance for one organization."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.api_key import service as api_key_service
from zerokeep.console.screen import open_screen
from zerokeep.organization import service as organization_service
from zerokeep.retention.catalogue import EndpointClass
from zerokeep.retention.decision import decide
from zerokeep.usage import service as usage_service

GLANCE_DAYS = 30


async def overview(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        since = screen.state.clock.now() - timedelta(days=GLANCE_DAYS)
        lines = await usage_service.summary(screen.db, organization.id, since=since)
        keys = await api_key_service.list_for(screen.db, organization.id)
        policy = organization_service.to_policy(organization)
        return screen.render(
            "overview.html",
            organization=organization,
            role=role,
            retention=decide(policy, EndpointClass.STATELESS).header_value,
            is_zdr=policy.is_zdr,
            glance_days=GLANCE_DAYS,
            requests=sum(line.requests for line in lines),
            errors=sum(line.errors for line in lines),
            tokens=sum(line.prompt_tokens + line.completion_tokens for line in lines),
            active_keys=sum(1 for key in keys if key.revoked_at is None),
        )


routes = [Route("/orgs/{organization_id}", overview, methods=["GET"])]
