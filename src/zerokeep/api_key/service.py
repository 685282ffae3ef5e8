"""Rules for API keys: `zk_<random><checksum>`, HMAC-SHA256 at rest, shown once, revocable.

created, plaintext = await api_key_service.create(session, CLI, keys, org, name="ci")
await api_key_service.revoke(session, CLI, org.id, created.id)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.api_key import repository
from zerokeep.api_key.limits import KeyLimits
from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.audit.service import DetailValue
from zerokeep.db import session_clock
from zerokeep.errors import Conflict, InvalidRequest
from zerokeep.kit.crypto import generate_token, hmac_digest, is_well_formed
from zerokeep.kit.ids import new_id
from zerokeep.models import ApiKey, Organization
from zerokeep.tenancy import get_scoped

KEY_PREFIX = "zk"
DISPLAY_PREFIX_LENGTH = 10


async def create(
    session: AsyncSession,
    actor: Actor,
    hmac_secret: bytes,
    organization: Organization,
    *,
    name: str,
    user_id: str | None = None,
    limits: KeyLimits | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plaintext, which is never stored or shown again.

    `limits` narrows what the key may do below its organization's limits: the models it may
    call, and its own requests and tokens per minute.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidRequest("A key name must have 1 to 100 characters.", param="name")
    limits = (limits or KeyLimits()).checked()
    plaintext = generate_token(KEY_PREFIX)
    api_key = ApiKey(
        id=new_id("key"),
        organization_id=organization.id,
        user_id=user_id,
        name=name,
        display_prefix=plaintext[:DISPLAY_PREFIX_LENGTH],
        key_hash=hmac_digest(hmac_secret, plaintext),
        created_at=session_clock(session).now(),
        allowed_models=sorted(limits.allowed_models) if limits.allowed_models is not None else None,
        requests_per_minute=limits.requests_per_minute,
        tokens_per_minute=limits.tokens_per_minute,
        monthly_token_budget=limits.monthly_token_budget,
    )
    session.add(api_key)
    await session.flush()
    limit_details: dict[str, DetailValue] = {
        "allowed_models": ",".join(api_key.allowed_models) if api_key.allowed_models else None,
        "requests_per_minute": api_key.requests_per_minute,
        "tokens_per_minute": api_key.tokens_per_minute,
        "monthly_token_budget": api_key.monthly_token_budget,
    }
    await audit_service.record(
        session,
        actor,
        AuditAction.KEY_CREATED,
        target=api_key.id,
        organization_id=organization.id,
        clock=None,
        display_prefix=api_key.display_prefix,
        **{name: value for name, value in limit_details.items() if value is not None},
    )
    return api_key, plaintext


async def list_for(
    session: AsyncSession, organization_id: str, user_id: str | None = None
) -> list[ApiKey]:
    return await repository.list_for(session, organization_id, user_id)


async def revoke(session: AsyncSession, actor: Actor, organization_id: str, key_id: str) -> ApiKey:
    api_key = await get_scoped(session, ApiKey, key_id, organization_id)
    if api_key.revoked_at is not None:
        raise Conflict("This key is already revoked.")
    api_key.revoked_at = session_clock(session).now()
    await audit_service.record(
        session,
        actor,
        AuditAction.KEY_REVOKED,
        target=api_key.id,
        organization_id=organization_id,
        display_prefix=api_key.display_prefix,
    )
    return api_key


async def resolve(
    session: AsyncSession, hmac_secret: bytes, token: str
) -> tuple[ApiKey, Organization] | None:
    """Find the active key and its organization for a presented token, or None."""
    if not is_well_formed(token, KEY_PREFIX):
        return None
    return await repository.find_active_by_hash(session, hmac_digest(hmac_secret, token))


def digest(hmac_secret: bytes, token: str) -> str | None:
    return hmac_digest(hmac_secret, token) if is_well_formed(token, KEY_PREFIX) else None
