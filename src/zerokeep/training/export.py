"""Export the retained data eligible for model improvement, with a manifest of what was left out.

Eligible: payload-archive records of organizations that have not opted out of training and are
not under ZDR, still within their abuse-monitoring window, and readable (their key not destroyed).
`records.jsonl` holds the records (the one place besides the archive this content goes, written
0600 for the operator); `manifest.json` holds organization ids and counts only.

    manifest = await export_training_data(session, keys, Path("out"), actor=CLI, now=now)
    manifest.included            # records written
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.archive.reader import OpenedRecord, open_records
from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.keys import KeyService
from zerokeep.kit.ids import new_id
from zerokeep.models import ArchiveRecord
from zerokeep.organization import service as organization_service

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "manifest.json"
EXCLUSION_REASONS = ("opted_out", "zdr", "expired", "undecryptable", "no_organization")


class ExportExists(FileExistsError):
    """The output directory already holds an export; exports never overwrite one."""


@dataclass(slots=True)
class Manifest:
    export_id: str
    created_at: datetime
    included: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, dict[str, int]] = field(
        default_factory=lambda: {reason: {} for reason in EXCLUSION_REASONS}
    )

    def include(self, organization_id: str, count: int) -> None:
        if count:
            self.included[organization_id] = self.included.get(organization_id, 0) + count

    def exclude(self, reason: str, organization_id: str, count: int) -> None:
        if count:
            by_org = self.excluded[reason]
            by_org[organization_id] = by_org.get(organization_id, 0) + count

    @property
    def included_records(self) -> int:
        return sum(self.included.values())

    def excluded_records(self, reason: str) -> int:
        return sum(self.excluded[reason].values())

    def to_json(self) -> dict[str, Any]:
        return {
            "export_id": self.export_id,
            "created_at": self.created_at.isoformat(),
            "included": {"records": self.included_records, "organizations": self.included},
            "excluded": {
                reason: {"records": self.excluded_records(reason), "organizations": by_org}
                for reason, by_org in self.excluded.items()
            },
        }


async def export_training_data(
    session: AsyncSession, keys: KeyService, out_dir: Path, *, actor: Actor, now: datetime
) -> Manifest:
    """Write records.jsonl and manifest.json into `out_dir`; audit the export (counts only)."""
    records_path, manifest_path = out_dir / RECORDS_FILE, out_dir / MANIFEST_FILE
    await asyncio.to_thread(_create_files, out_dir, records_path, manifest_path)
    manifest = Manifest(new_id("trx"), now)
    organizations = {org.id: org for org in await organization_service.list_all(session)}
    for organization_id, total, expired in await _archive_counts(session, now):
        organization = organizations.get(organization_id)
        if organization is None:
            manifest.exclude("no_organization", organization_id, total)
            continue
        policy = organization_service.to_policy(organization)
        if policy.is_zdr:
            manifest.exclude("zdr", organization_id, total)
            continue
        if policy.training_opt_out:
            manifest.exclude("opted_out", organization_id, total)
            continue
        manifest.exclude("expired", organization_id, expired)
        lines = await _eligible_lines(session, keys, organization_id, total, now)
        manifest.include(organization_id, len(lines))
        manifest.exclude("undecryptable", organization_id, total - expired - len(lines))
        await asyncio.to_thread(_append, records_path, lines)
    await asyncio.to_thread(
        manifest_path.write_bytes, orjson.dumps(manifest.to_json(), option=orjson.OPT_INDENT_2)
    )
    await audit_service.record(
        session,
        actor,
        AuditAction.TRAINING_EXPORTED,
        target=manifest.export_id,
        records=manifest.included_records,
        organizations=len(manifest.included),
        excluded_opted_out=manifest.excluded_records("opted_out"),
        excluded_zdr=manifest.excluded_records("zdr"),
        excluded_expired=manifest.excluded_records("expired"),
        excluded_undecryptable=manifest.excluded_records("undecryptable"),
        excluded_no_organization=manifest.excluded_records("no_organization"),
    )
    return manifest


async def _archive_counts(session: AsyncSession, now: datetime) -> list[tuple[str, int, int]]:
    """(organization id, records, expired records) for every organization in the archive."""
    count = ArchiveRecord.record_count
    expired = func.sum(case((ArchiveRecord.expires_at <= now, count), else_=0))
    stmt = (
        select(ArchiveRecord.organization_id, func.sum(count), expired)
        .group_by(ArchiveRecord.organization_id)
        .order_by(ArchiveRecord.organization_id)
    )
    return [
        (org_id, int(total), int(old or 0)) for org_id, total, old in await session.execute(stmt)
    ]


async def _eligible_lines(
    session: AsyncSession, keys: KeyService, organization_id: str, total: int, now: datetime
) -> list[bytes]:
    try:
        # open_records skips records whose key was destroyed; they count as undecryptable.
        opened = await open_records(session, keys, organization_id, limit=total)
    except InvalidTag:
        return []  # a tampered record: export nothing of this organization rather than guess
    return [_line(record) for record in opened if record.expires_at > now]


def _line(record: OpenedRecord) -> bytes:
    # The export is a door for content by design (the operator's training set), like the archive
    # it reads from; this is the only place outside providers/ and archive/ that exposes it.
    payload = record.payload.expose()
    return orjson.dumps(
        {
            "id": record.id,
            "organization_id": record.organization_id,
            "route": record.route,
            "model": record.model,
            "created_at": record.created_at.isoformat(),
            "status_code": payload.get("status_code"),
            "request": payload.get("request"),
            "file": payload.get("file"),
            "response": payload.get("response"),
        }
    )


def _create_files(out_dir: Path, records_path: Path, manifest_path: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    if records_path.exists() or manifest_path.exists():
        raise ExportExists(f"{out_dir} already holds an export; choose an empty directory")
    os.close(os.open(records_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _append(path: Path, lines: Iterable[bytes]) -> None:
    with path.open("ab") as handle:
        for line in lines:
            handle.write(line + b"\n")
