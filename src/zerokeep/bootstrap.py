"""First start on the embedded defaults: a demo organization and key, so a newcomer can call
the gateway at once.

The demo key is kept in `<data dir>/demo-api-key` (mode 0600) so that `zerokeep serve` can print
it again; every other key is shown once and stored only as an HMAC.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import SYSTEM
from zerokeep.organization import repository as organization_repository
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.zdr_request import switch as zdr_switch

DEMO_SLUG = "demo"
DEMO_KEY_FILE = "demo-api-key"


async def ensure_demo(session: AsyncSession, hmac_secret: bytes, data_dir: Path) -> str | None:
    """Create the demo organization (Scale, ZDR active) and key on an empty database.

    Returns the demo key when it exists, or None when the database already had other
    organizations (a real deployment gets no demo).
    """
    key_file = data_dir / DEMO_KEY_FILE
    demo = await organization_repository.find(session, DEMO_SLUG)
    if demo is not None:
        return key_file.read_text().strip() if key_file.exists() else None
    if await organization_repository.list_all(session):
        return None
    demo = await organization_service.create(
        session, SYSTEM, name="Demo", slug=DEMO_SLUG, plan=Plan.SCALE
    )
    await zdr_switch.set_zdr(session, SYSTEM, demo, enabled=True)
    _, plaintext = await api_key_service.create(session, SYSTEM, hmac_secret, demo, name="demo")
    await asyncio.to_thread(_write_private_file, key_file, plaintext + "\n")
    return plaintext


def _write_private_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
