"""`zerokeep keys rotate-master`: re-wrap organization keys under a new master key."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.audit.actions import CLI
from zerokeep.cli.runtime import CliContext, console, run_in_session
from zerokeep.keys import KeyService, key_service_from_settings
from zerokeep.keys.rotation import Rotation, rotate_master

app = typer.Typer(help="Encryption keys (the key hierarchy).", no_args_is_help=True)


@app.command("rotate-master")
def rotate_master_command() -> None:
    """Make a new master key and re-wrap every organization key under it (content is not
    re-encrypted). With ZEROKEEP_MASTER_KEY set, prints the new key once: install it on every
    replica before they restart."""
    service: list[KeyService] = []

    async def work(session: AsyncSession, context: CliContext) -> Rotation:
        keys = key_service_from_settings(
            context.settings, legacy_wrapping_key=context.keys.key_wrapping
        )
        service.append(keys)
        return await rotate_master(session, keys, actor=CLI)

    rotation = run_in_session(work)
    console.print(
        f"Master key rotated: now {rotation.master_key_id}; "
        f"{rotation.organization_keys} organization keys re-wrapped, "
        f"{rotation.legacy_keys_upgraded} legacy data keys moved under their organization key.",
        highlight=False,
    )
    masters = service[0].masters
    if not masters.is_managed:
        console.print(
            "ZEROKEEP_MASTER_KEY must now be (shown once; the old key no longer opens anything):",
            highlight=False,
        )
        console.print(masters.current.encoded(), highlight=False, soft_wrap=True)
