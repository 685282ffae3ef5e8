"""`zerokeep key`: create (shown once), list and revoke API keys."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.api_key import service as api_key_service
from zerokeep.api_key.limits import KeyLimits
from zerokeep.audit.actions import CLI
from zerokeep.cli.listing import JSON_OPTION, print_listing
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.models import ApiKey
from zerokeep.organization import service as organization_service

app = typer.Typer(help="API keys.", no_args_is_help=True)


@app.command()
def create(
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    name: str = typer.Option("default", help="A label to recognise the key by."),
    models: list[str] = typer.Option(
        [], "--model", help="A model this key may call (repeat; default: every model)."
    ),
    rpm: int | None = typer.Option(
        None, "--rpm", help="Requests per minute for this key (within the organization's)."
    ),
    tpm: int | None = typer.Option(
        None, "--tpm", help="Tokens per minute for this key (within the organization's)."
    ),
    monthly_tokens: int | None = typer.Option(
        None, "--monthly-tokens", help="Tokens this key may spend per calendar month (UTC)."
    ),
) -> None:
    """Create an API key. The key is printed once and cannot be shown again."""
    limits = KeyLimits(frozenset(models) if models else None, rpm, tpm, monthly_tokens)

    async def work(session: AsyncSession, context: CliContext) -> tuple[ApiKey, str]:
        organization = await organization_service.get(session, org)
        return await api_key_service.create(
            session, CLI, context.keys.api_key_hmac, organization, name=name, limits=limits
        )

    api_key, plaintext = run_in_session(work)
    console.print(f"Created key {api_key.id} ({api_key.name}). Store it now; it is shown once:")
    print(plaintext)


@app.command("list")
def list_keys(
    org: str = typer.Option(..., "--org", help="Organization id or slug."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List an organization's keys (prefixes only)."""

    async def work(session: AsyncSession, _: CliContext) -> list[ApiKey]:
        organization = await organization_service.get(session, org)
        return await api_key_service.list_for(session, organization.id)

    rows = [
        {
            "id": key.id,
            "name": key.name,
            "prefix": key.display_prefix,
            "limits": _limits_text(key),
            "created": key.created_at,
            "last_used": key.last_used_at,
            "revoked": key.revoked_at,
        }
        for key in run_in_session(work)
    ]
    columns = ["id", "name", "prefix", "limits", "created", "last_used", "revoked"]
    print_listing(rows, columns, as_json=as_json, empty="No API keys.")


@app.command()
def revoke(
    key_id: str, org: str = typer.Option(..., "--org", help="Organization id or slug.")
) -> None:
    """Revoke a key: calls with it get 401 from then on (within one second on every replica)."""

    async def work(session: AsyncSession, _: CliContext) -> ApiKey:
        organization = await organization_service.get(session, org)
        return await api_key_service.revoke(session, CLI, organization.id, key_id)

    api_key = run_in_session(work)
    console.print(f"Revoked key {api_key.id} ({api_key.display_prefix}...).")


def _limits_text(key: ApiKey) -> str:
    parts = []
    if key.allowed_models is not None:
        parts.append("models: " + ", ".join(key.allowed_models))
    if key.requests_per_minute is not None:
        parts.append(f"{key.requests_per_minute} rpm")
    if key.tokens_per_minute is not None:
        parts.append(f"{key.tokens_per_minute} tpm")
    if key.monthly_token_budget is not None:
        parts.append(f"{key.monthly_token_budget} tokens/month")
    return "; ".join(parts) or "-"
