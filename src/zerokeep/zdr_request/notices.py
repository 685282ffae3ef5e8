"""The emails of the ZDR workflow: who gets which template, with which (metadata) fields.

The justification the customer wrote is never a field: staff read it in the console.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.email import service as email_service
from zerokeep.email.templates import Template, console_link
from zerokeep.models import Organization, ZdrRequest
from zerokeep.zdr_request import repository


async def requester_addresses(session: AsyncSession, request: ZdrRequest) -> list[str]:
    """The request's contact address, and the submitting user's if there is one."""
    addresses = [request.contact_email]
    if request.requested_by_user_id is not None:
        user_email = await repository.user_email(session, request.requested_by_user_id)
        if user_email is not None:
            addresses.append(user_email)
    unique = dict.fromkeys(address.strip().lower() for address in addresses)
    return [address for address in unique if email_service.is_deliverable_address(address)]


async def to_requester(
    session: AsyncSession,
    request: ZdrRequest,
    organization: Organization,
    template: Template,
    **extra: str,
) -> None:
    page = "zdr" if template is Template.ZDR_REQUEST_DENIED else "privacy"
    for address in await requester_addresses(session, request):
        await email_service.enqueue(
            session,
            to=address,
            template=template,
            organization_name=organization.name,
            organization_id=organization.id,
            request_id=request.id,
            link=console_link(f"/orgs/{organization.id}/{page}"),
            **extra,
        )


async def to_staff(session: AsyncSession, request: ZdrRequest, organization: Organization) -> None:
    for address in await repository.staff_addresses(session):
        if not email_service.is_deliverable_address(address):
            continue
        await email_service.enqueue(
            session,
            to=address,
            template=Template.ZDR_REQUEST_FOR_REVIEW,
            organization_name=organization.name,
            organization_id=organization.id,
            request_id=request.id,
            plan=organization.plan,
            link=console_link(f"/staff/review#{request.id}"),
        )
