"""`zerokeep privacy`: show and change an organization's Privacy settings, as the operator."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.auth.access import OPERATOR_KEY_ROLE
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.organization import service as organization_service
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import MAX_ABUSE_WINDOW_DAYS, PrivacySettings, PrivacyUpdate
from zerokeep.retention.policy import StatefulPolicy

app = typer.Typer(help="Privacy settings of an organization.", no_args_is_help=True)


def _print(settings: PrivacySettings, slug: str) -> None:
    request = settings.zdr_request
    rows = [
        ("organization", f"{slug} ({settings.organization_id})"),
        ("plan", settings.plan.value),
        ("zdr", settings.zdr.value),
        (
            "zdr changed",
            f"{settings.zdr_changed_at:%Y-%m-%d %H:%M}" if settings.zdr_changed_at else "-",
        ),
        ("latest zdr request", f"{request.id} ({request.status.value})" if request else "-"),
        ("training opt-out", "yes" if settings.training_opt_out else "no"),
        ("abuse window", f"{settings.abuse_window_days} days"),
        ("stateful policy", settings.stateful_policy.value),
        ("requires upstream zdr", "yes" if settings.requires_upstream_zdr else "no"),
        ("stateless retention", settings.stateless_retention),
    ]
    for label, value in rows:
        console.print(f"{label:>22}: {value}", highlight=False)


@app.command()
def show(organization: str) -> None:
    """Print an organization's privacy state."""

    async def work(session: AsyncSession, _: CliContext) -> tuple[PrivacySettings, str]:
        org = await organization_service.get(session, organization)
        return await privacy_service.read(session, org), org.slug

    _print(*run_in_session(work))


@app.command("set")
def set_privacy(
    organization: str,
    training_opt_out: bool | None = typer.Option(
        None, "--training-opt-out/--no-training-opt-out", help="Exclude data from training."
    ),
    abuse_window_days: int | None = typer.Option(
        None, "--abuse-window-days", min=0, max=MAX_ABUSE_WINDOW_DAYS, help="0 keeps nothing."
    ),
    stateful_policy: StatefulPolicy | None = typer.Option(
        None, "--stateful-policy", help="allow, or block stateful products (strict ZDR)."
    ),
    require_upstream_zdr: bool | None = typer.Option(
        None, "--require-upstream-zdr/--no-require-upstream-zdr", help="Only ZDR upstreams."
    ),
) -> None:
    """Change privacy settings (each change audited; running servers see it within 1 s)."""
    changes = PrivacyUpdate(
        training_opt_out=training_opt_out,
        abuse_window_days=abuse_window_days,
        stateful_policy=stateful_policy,
        requires_upstream_zdr=require_upstream_zdr,
    )

    async def work(session: AsyncSession, _: CliContext) -> tuple[PrivacySettings, str]:
        org = await organization_service.get(session, organization)
        await privacy_service.update(session, CLI, org, OPERATOR_KEY_ROLE, changes)
        return await privacy_service.read(session, org), org.slug

    _print(*run_in_session(work))
