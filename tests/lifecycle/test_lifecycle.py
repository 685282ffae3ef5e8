"""The deletion lifecycle on the live server (SQLite and PostgreSQL), time moved by the test
clock: grace period, restore, purge (nothing left, signed receipt), legal holds, org deletion."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.governance import client_for, in_session
from tests.harness import LiveServer, files_under
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.blobs import LocalBlobStore
from zerokeep.cli.main import app as cli_app
from zerokeep.jobs import JobEnvironment, load_registry
from zerokeep.jobs.embedded import EmbeddedRunner
from zerokeep.keys import MasterKeyMissing
from zerokeep.keys.service import data_key_aad, organization_key_aad
from zerokeep.kit.crypto import open_sealed
from zerokeep.kit.signing import public_key_of
from zerokeep.lifecycle import holds
from zerokeep.lifecycle import service as lifecycle_service
from zerokeep.lifecycle.purge import purge_due, purger_for
from zerokeep.lifecycle.receipts import verify_receipt
from zerokeep.models import (
    AuditEvent,
    EncryptionKey,
    Job,
    Organization,
    OrganizationKey,
    StoredFile,
    User,
)
from zerokeep.organization import service as organization_service
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role


class Tenant:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.organization_id, self.key = server.new_organization()
        self.http = client_for(server, self.key)

    def upload(self, content: bytes, name: str = "data.jsonl") -> str:
        response = self.http.post(
            "/v1/files", files={"file": (name, content)}, data={"purpose": "batch"}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def delete(self, file_id: str) -> dict[str, object]:
        assert self.http.delete(f"/v1/files/{file_id}").status_code == 200
        return self.deleted(file_id)

    def deleted(self, object_id: str, include_purged: bool = False) -> dict[str, object]:
        listed = self.http.get(
            "/v1/organization/deleted", params={"include_purged": include_purged}
        ).json()["data"]
        return next(item for item in listed if item["object_id"] == object_id)

    def purge(self) -> int:
        return self.server.run(purge_due(self.server.state.sessions, purger_for(self.server.state)))


def canary_file(canary: str, lines: int = 400) -> bytes:
    return b"".join(b'{"line": %d, "canary": "%s"}\n' % (i, canary.encode()) for i in range(lines))


def blob_of(server: LiveServer, file_id: str) -> Path:
    [path] = [p for p in files_under(server.settings.data_dir / "blobs") if p.name == file_id]
    return path


def count(server: LiveServer, stmt) -> int:  # type: ignore[no-untyped-def]
    async def run(session: AsyncSession) -> int:
        return int((await session.execute(stmt)).scalar_one())

    return in_session(server, run)


@pytest.fixture()
def tenant(live_server: LiveServer) -> Tenant:
    return Tenant(live_server)


class TestGracePeriod:
    def test_restore_during_grace_brings_the_file_back(self, tenant: Tenant) -> None:
        content = canary_file("restore-me")
        file_id = tenant.upload(content)
        deletion = tenant.delete(file_id)
        assert deletion["status"] == "pending"
        deleted_at = datetime.fromisoformat(str(deletion["deleted_at"]))
        purge_after = datetime.fromisoformat(str(deletion["purge_after"]))
        assert purge_after - deleted_at == timedelta(days=7)  # the default grace period
        assert tenant.http.get(f"/v1/files/{file_id}").status_code == 404
        tenant.server.clock.advance(days=6)
        restored = tenant.http.post(f"/v1/organization/deleted/{deletion['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["status"] == "restored"
        assert tenant.http.get(f"/v1/files/{file_id}/content").content == content

    def test_no_restore_after_grace(self, tenant: Tenant) -> None:
        file_id = tenant.upload(canary_file("too-late"))
        deletion = tenant.delete(file_id)
        tenant.server.clock.advance(days=7, seconds=1)
        refused = tenant.http.post(f"/v1/organization/deleted/{deletion['id']}/restore")
        assert refused.status_code == 409
        assert "grace period is over" in refused.json()["message"]

    def test_grace_period_is_a_privacy_setting(self, tenant: Tenant) -> None:
        assert tenant.http.get("/v1/organization/privacy").json()["deletion_grace_days"] == 7
        too_long = tenant.http.patch("/v1/organization/privacy", json={"deletion_grace_days": 31})
        assert too_long.status_code == 422
        changed = tenant.http.patch("/v1/organization/privacy", json={"deletion_grace_days": 2})
        assert changed.json()["deletion_grace_days"] == 2
        deletion = tenant.delete(tenant.upload(canary_file("two-days")))
        gap = datetime.fromisoformat(str(deletion["purge_after"])) - datetime.fromisoformat(
            str(deletion["deleted_at"])
        )
        assert gap == timedelta(days=2)
        actions = count(
            tenant.server,
            select(func.count(AuditEvent.id)).where(
                AuditEvent.organization_id == tenant.organization_id,
                AuditEvent.action == "organization.deletion_grace_changed",
            ),
        )
        assert actions == 1


class TestPurge:
    def test_nothing_of_a_purged_file_remains(self, tenant: Tenant) -> None:
        canary = f"canary-{uuid.uuid4().hex}"
        file_id = tenant.upload(canary_file(canary))
        blob = blob_of(tenant.server, file_id)
        ciphertext = blob.read_bytes()
        assert canary.encode() not in ciphertext
        sample = ciphertext[1000:1064]  # a slice of one encrypted chunk
        deletion = tenant.delete(file_id)
        tenant.server.clock.advance(days=7, seconds=1)
        assert tenant.purge() >= 1
        assert not blob.exists()
        assert count(tenant.server, select(func.count()).where(StoredFile.id == file_id)) == 0
        assert (
            count(
                tenant.server,
                select(func.count()).where(EncryptionKey.purpose == f"file:{file_id}"),
            )
            == 0
        )
        for path in files_under(tenant.server.settings.data_dir):
            data = path.read_bytes()
            assert canary.encode() not in data, path
            assert sample not in data, path
        assert tenant.deleted(file_id, include_purged=True)["status"] == "purged"
        assert deletion["id"]

    def test_receipt_is_signed_and_holds_no_content(self, tenant: Tenant, tmp_path: Path) -> None:
        canary = f"receipt-{uuid.uuid4().hex}"
        file_id = tenant.upload(canary_file(canary), name=f"{canary}.jsonl")
        deletion = tenant.delete(file_id)
        early = tenant.http.get(f"/v1/organization/deleted/{deletion['id']}/receipt")
        assert early.status_code == 409
        tenant.server.clock.advance(days=7, seconds=1)
        tenant.purge()
        response = tenant.http.get(f"/v1/organization/deleted/{deletion['id']}/receipt")
        assert response.status_code == 200
        document = response.json()
        assert canary not in response.text
        body = document["receipt"]
        assert body["object_id"] == file_id and body["object_kind"] == "file"
        assert body["size_bytes"] == len(canary_file(canary))
        assert body["keys_destroyed"] == 1
        public_key = public_key_of(tenant.server.state.keys.report_signing_seed)
        assert verify_receipt(document, public_key).is_valid
        forged = json.loads(response.text)
        forged["receipt"]["size_bytes"] = 1
        assert not verify_receipt(forged, public_key).is_valid
        path = tmp_path / "receipt.json"
        path.write_text(response.text)
        result = CliRunner().invoke(
            cli_app, ["receipt", "verify", str(path), "--public-key", public_key]
        )
        assert result.exit_code == 0, result.output
        assert "signature valid by the pinned key" in result.output
        path.write_text(json.dumps(forged))
        assert CliRunner().invoke(cli_app, ["receipt", "verify", str(path)]).exit_code == 1


class TestExpiry:
    def test_a_file_with_an_expiry_is_deleted_then_purged_after_grace(self, tenant: Tenant) -> None:
        response = tenant.http.post(
            "/v1/files",
            files={"file": ("short.jsonl", canary_file("short-lived"))},
            data={"purpose": "batch", "expiry": "1"},
        )
        file_id = response.json()["id"]
        assert response.json()["expires_at"] is not None
        tenant.purge()
        assert tenant.http.get(f"/v1/files/{file_id}").status_code == 200
        tenant.server.clock.advance(days=1, seconds=1)
        tenant.purge()
        assert tenant.http.get(f"/v1/files/{file_id}").status_code == 404
        assert tenant.deleted(file_id)["status"] == "pending"


class TestLegalHold:
    def place(self, tenant: Tenant, object_id: str | None) -> str:
        async def work(session: AsyncSession) -> str:
            hold = await holds.place(
                session,
                CLI,
                tenant.organization_id,
                "Litigation 2026-17",
                tenant.server.clock,
                object_kind="file" if object_id else None,
                object_id=object_id,
            )
            return hold.id

        return in_session(tenant.server, work)

    def lift(self, tenant: Tenant, hold_id: str) -> None:
        async def work(session: AsyncSession) -> None:
            await holds.lift(session, CLI, hold_id, tenant.server.clock)

        in_session(tenant.server, work)

    @pytest.mark.parametrize("scope", ["object", "organization"])
    def test_held_file_survives_its_purge_date_then_goes(self, tenant: Tenant, scope: str) -> None:
        file_id = tenant.upload(canary_file("held"))
        hold_id = self.place(tenant, file_id if scope == "object" else None)
        visible = tenant.http.get("/v1/organization/legal-holds").json()["data"]
        assert [hold["reason"] for hold in visible] == ["Litigation 2026-17"]
        tenant.delete(file_id)
        tenant.server.clock.advance(days=30)
        tenant.purge()
        still = tenant.deleted(file_id)
        assert still["status"] == "pending" and still["is_held"] is True
        assert blob_of(tenant.server, file_id).exists()
        self.lift(tenant, hold_id)
        tenant.purge()
        assert tenant.deleted(file_id, include_purged=True)["status"] == "purged"
        actions = count(
            tenant.server,
            select(func.count(AuditEvent.id)).where(
                AuditEvent.organization_id == tenant.organization_id,
                AuditEvent.action == "organization.legal_hold_changed",
            ),
        )
        assert actions == 2  # placed, lifted

    def test_a_hold_needs_a_reason(self, tenant: Tenant) -> None:
        async def work(session: AsyncSession) -> None:
            await holds.place(session, CLI, tenant.organization_id, "  ", tenant.server.clock)

        with pytest.raises(Exception, match="reason"):
            in_session(tenant.server, work)


class TestOrganizationDeletion:
    def delete_organization(self, tenant: Tenant) -> str:
        async def work(session: AsyncSession) -> str:
            organization = await organization_service.get(session, tenant.organization_id)
            deletion = await lifecycle_service.delete_organization(
                session, CLI, organization, tenant.server.clock
            )
            return deletion.id

        return in_session(tenant.server, work)

    def test_keys_stop_at_once_and_restore_brings_them_back(self, tenant: Tenant) -> None:
        file_id = tenant.upload(canary_file("org"))
        deletion_id = self.delete_organization(tenant)
        assert tenant.http.get("/v1/files").status_code == 401

        async def restore(session: AsyncSession) -> None:
            await lifecycle_service.restore(session, CLI, None, deletion_id, tenant.server.clock)

        in_session(tenant.server, restore)
        assert tenant.http.get(f"/v1/files/{file_id}").status_code == 200

    def test_purge_removes_everything_it_owned(self, tenant: Tenant) -> None:
        canary = f"org-canary-{uuid.uuid4().hex}"
        file_ids = [tenant.upload(canary_file(canary)) for _ in range(2)]
        self.delete_organization(tenant)
        tenant.server.clock.advance(days=7, seconds=1)
        tenant.purge()
        organization_id = tenant.organization_id
        assert (
            count(tenant.server, select(func.count()).where(Organization.id == organization_id))
            == 0
        )
        assert (
            count(
                tenant.server,
                select(func.count()).where(EncryptionKey.organization_id == organization_id),
            )
            == 0
        )
        for file_id in file_ids:
            assert not [
                p
                for p in files_under(tenant.server.settings.data_dir / "blobs")
                if p.name == file_id
            ]
        for path in files_under(tenant.server.settings.data_dir):
            assert canary.encode() not in path.read_bytes(), path
        assert (
            httpx.get(
                f"{tenant.server.base_url}/v1/files",
                headers={"authorization": f"Bearer {tenant.key}"},
            ).status_code
            == 401
        )


class TestUserDeletion:
    def test_the_account_and_its_own_files_go_through_the_same_path(self, tenant: Tenant) -> None:
        server = tenant.server

        async def make_user(session: AsyncSession) -> tuple[str, str]:
            organization = await organization_service.get(session, tenant.organization_id)
            user = await user_service.create(
                session, CLI, email=f"leaver-{uuid.uuid4().hex[:8]}@example.test", password=None
            )
            await user_service.add_member(session, CLI, organization, user, Role.MEMBER)
            _, key = await api_key_service.create(
                session,
                CLI,
                server.state.keys.api_key_hmac,
                organization,
                name="u",
                user_id=user.id,
            )
            return user.id, key

        user_id, user_key = in_session(server, make_user)
        user_http = client_for(server, user_key)
        private = user_http.post(
            "/v1/files",
            files={"file": ("mine.jsonl", canary_file("private"))},
            data={"purpose": "batch", "visibility": "user"},
        ).json()["id"]
        shared = tenant.upload(canary_file("shared"))

        async def delete_user(session: AsyncSession) -> str:
            user = await user_service.get(session, user_id)
            return (await lifecycle_service.delete_user(session, CLI, user, server.clock)).id

        in_session(server, delete_user)
        assert user_http.get("/v1/files").status_code == 401
        assert tenant.deleted(private)["status"] == "pending"
        assert tenant.http.get(f"/v1/files/{shared}").status_code == 200
        server.clock.advance(days=7, seconds=1)
        tenant.purge()
        assert tenant.deleted(private, include_purged=True)["status"] == "purged"
        assert count(server, select(func.count()).where(User.id == user_id)) == 0
        assert tenant.http.get(f"/v1/files/{shared}").status_code == 200


class TestBackupAfterOrganizationDeletion:
    def test_a_copy_taken_before_cannot_be_decrypted_afterwards(
        self, tenant: Tenant, tmp_path: Path
    ) -> None:
        server = tenant.server
        content = canary_file(f"backup-{uuid.uuid4().hex}")
        file_id = tenant.upload(content)
        blob = blob_of(server, file_id)
        backup_blob = blob.read_bytes()  # the blob store's copy, as a backup holds it

        async def key_rows(session: AsyncSession) -> tuple[str, str, bytes, str, bytes]:
            data_key = (
                await session.execute(
                    select(EncryptionKey).where(EncryptionKey.purpose == f"file:{file_id}")
                )
            ).scalar_one()
            org_key = (
                await session.execute(
                    select(OrganizationKey).where(
                        OrganizationKey.organization_id == tenant.organization_id
                    )
                )
            ).scalar_one()
            return (
                data_key.purpose,
                org_key.master_key_id,
                org_key.wrapped_key,
                data_key.organization_id,
                data_key.wrapped_key,
            )

        # The database's copy of the keys, as a backup taken now holds them.
        purpose, master_id, org_wrapped, org_id, data_wrapped = in_session(server, key_rows)

        def decrypt_backup() -> bytes:
            keys = server.state.key_service
            master = keys.masters.get(master_id)  # what the deployment holds at that moment
            org_key = open_sealed(master.key, org_wrapped, organization_key_aad(org_id))
            data_key = open_sealed(org_key, data_wrapped, data_key_aad(org_id, purpose))
            return data_key

        data_key = decrypt_backup()  # before the deletion the backup opens
        name = f"files/{tenant.organization_id}/{file_id}"
        assert b"".join(server.run(collect(server, name, backup_blob, data_key))) == content

        async def delete_organization(session: AsyncSession) -> None:
            organization = await organization_service.get(session, tenant.organization_id)
            await lifecycle_service.delete_organization(session, CLI, organization, server.clock)

        in_session(server, delete_organization)
        server.clock.advance(days=7, seconds=1)
        tenant.purge()
        server.state.key_service.masters.refresh()
        with pytest.raises(MasterKeyMissing):
            decrypt_backup()


async def collect(server: LiveServer, name: str, ciphertext: bytes, key: bytes) -> list[bytes]:
    """Decrypt a blob's bytes (a backup's copy) with a data key, through a scratch store."""
    scratch = server.settings.data_dir.parent / f"scratch-{uuid.uuid4().hex}"
    (scratch / name).parent.mkdir(parents=True, exist_ok=True)
    (scratch / name).write_bytes(ciphertext)
    try:
        return [piece async for piece in LocalBlobStore(scratch).get(name, key)]
    finally:
        shutil.rmtree(scratch)


class TestPurgeJob:
    def test_delete_queues_the_purge_job_which_purges_at_its_time(self, tenant: Tenant) -> None:
        server = tenant.server
        file_id = tenant.upload(canary_file("job"))
        deletion = tenant.delete(file_id)

        async def queued(session: AsyncSession) -> list[Job]:
            stmt = select(Job).where(Job.name == "lifecycle.purge")
            return [
                job
                for job in (await session.execute(stmt)).scalars()
                if job.args == {"deletion_id": deletion["id"]}
            ]

        [job] = in_session(server, queued)
        assert job.run_at == datetime.fromisoformat(str(deletion["purge_after"]))

        state = server.state
        environment = JobEnvironment(
            state.settings, state.clock, state.engine, state.sessions, state.key_service, state
        )
        runner = EmbeddedRunner(load_registry(), environment)
        server.run(runner.run_until_idle())
        assert tenant.deleted(file_id)["status"] == "pending"  # not due yet: not run
        server.clock.advance(days=7, seconds=1)
        server.run(runner.run_until_idle())
        assert tenant.deleted(file_id, include_purged=True)["status"] == "purged"
        [done] = in_session(server, queued)
        assert done.status == "succeeded"


class TestReceiptKeyIsTheAuditKey:
    def test_one_pinned_key_verifies_receipts_and_audit_reports(self) -> None:
        from zerokeep.lifecycle import receipts
        from zerokeep.retention_audit import report

        seed = bytes(range(32))
        receipt = receipts.sign_receipt({"format": receipts.RECEIPT_FORMAT, "a": "é"}, seed)
        audit = report.sign({"format": report.REPORT_FORMAT, "verdict": "PASS"}, seed)
        assert receipt["signature"]["public_key"] == audit["signature"]["public_key"]
        assert receipts.verify_receipt(receipt, public_key_of(seed)).is_valid
        assert report.verify(audit, public_key_of(seed)).is_valid
