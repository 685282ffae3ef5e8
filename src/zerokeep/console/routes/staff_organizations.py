"""Staff: every organization with its plan and ZDR state; change a plan (leaving Scale revokes
ZDR, as organization.service.set_plan rules)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.screen import open_screen
from zerokeep.errors import InvalidRequest
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch


async def organizations(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        return screen.render(
            "staff_organizations.html",
            organizations=await organization_service.list_all(screen.db),
            plans=list(Plan),
        )


async def change_plan(request: Request) -> Response:
    async with open_screen(request) as screen:
        screen.require_staff()
        try:
            plan = Plan(screen.field("plan"))
        except ValueError as error:
            raise InvalidRequest("Choose a plan: free or scale.") from error
        organization = await organization_service.get(
            screen.db, request.path_params["organization_id"]
        )
        if plan.value == organization.plan:
            return screen.redirect("/staff/organizations")
        if not screen.confirmed():
            consequence = f"{organization.name} moves from {organization.plan} to {plan.value}."
            if plan is not Plan.SCALE and organization.zdr_state in ("active", "pending"):
                consequence += " Leaving Scale revokes its Zero Data Retention; they are emailed."
            return screen.confirm(
                f"Change the plan of {organization.name}?",
                consequence,
                button="Change plan",
                back="/staff/organizations",
            )
        await zdr_switch.set_plan(screen.db, screen.actor, organization, plan)
        response = screen.redirect("/staff/organizations", notice="plan-changed")
    return response


routes = [
    Route("/staff/organizations", organizations, methods=["GET"]),
    Route("/staff/organizations/{organization_id}/plan", change_plan, methods=["POST"]),
]
