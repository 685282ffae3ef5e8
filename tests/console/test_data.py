"""The console's Data page (files, recently deleted, restore, legal-hold badge), the grace period
in Privacy settings, and staff legal holds, over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from tests.console.world import ConsoleClient, World, build_world
from tests.governance import client_for, in_session
from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.organization import service as organization_service

Login = Callable[[str], ConsoleClient]


@pytest.fixture()
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


@pytest.fixture()
def as_user(live_server: LiveServer, world: World) -> Iterator[Login]:
    made: list[ConsoleClient] = []

    def login(name: str) -> ConsoleClient:
        client = ConsoleClient(live_server)
        made.append(client)
        assert client.login(getattr(world, name)).status_code == 303
        return client

    yield login
    for client in made:
        client.close()


def upload_for(server: LiveServer, organization_id: str, name: str = "report.jsonl") -> str:
    async def make_key(session):  # type: ignore[no-untyped-def]
        organization = await organization_service.get(session, organization_id)
        _, key = await api_key_service.create(
            session, CLI, server.state.keys.api_key_hmac, organization, name="t"
        )
        return key

    key = in_session(server, make_key)
    response = client_for(server, key).post(
        "/v1/files", files={"file": (name, b'{"a": 1}\n')}, data={"purpose": "batch"}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


class TestDataPage:
    def test_owner_deletes_and_restores_a_file(
        self, live_server: LiveServer, as_user: Login, world: World
    ) -> None:
        file_id = upload_for(live_server, world.org_a, "quarterly.jsonl")
        owner = as_user("owner")
        page = owner.get(f"/orgs/{world.org_a}/data").text
        assert "quarterly.jsonl" in page and f'data-file-id="{file_id}"' in page
        deleted = owner.post(f"/orgs/{world.org_a}/data/files/{file_id}/delete")
        assert deleted.status_code == 303
        page = owner.get(f"/orgs/{world.org_a}/data").text
        assert f'data-file-id="{file_id}"' not in page
        deletion_id = re.search(r'data-deletion-id="(del_[0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        restored = owner.post(f"/orgs/{world.org_a}/data/deleted/{deletion_id}/restore")
        assert restored.status_code == 303
        assert f'data-file-id="{file_id}"' in owner.get(f"/orgs/{world.org_a}/data").text

    def test_member_sees_but_cannot_delete(
        self, live_server: LiveServer, as_user: Login, world: World
    ) -> None:
        file_id = upload_for(live_server, world.org_a)
        member = as_user("member")
        page = member.get(f"/orgs/{world.org_a}/data").text
        assert f'data-file-id="{file_id}"' in page and "/delete" not in page
        assert member.post(f"/orgs/{world.org_a}/data/files/{file_id}/delete").status_code == 403

    def test_another_organization_is_404(
        self, live_server: LiveServer, as_user: Login, world: World
    ) -> None:
        file_id = upload_for(live_server, world.org_b)
        admin = as_user("admin")
        assert admin.get(f"/orgs/{world.org_b}/data").status_code == 404
        assert admin.post(f"/orgs/{world.org_b}/data/files/{file_id}/delete").status_code == 404
        # ...and org B's file through org A's page is not found either.
        assert admin.post(f"/orgs/{world.org_a}/data/files/{file_id}/delete").status_code == 404


class TestGracePeriod:
    def test_owner_sets_the_grace_period(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        page = owner.get(f"/orgs/{world.org_a}/privacy").text
        assert 'name="deletion_grace_days"' in page and 'value="7"' in page
        assert (
            owner.post(f"/orgs/{world.org_a}/privacy/deletion", deletion_grace_days="3").status_code
            == 303
        )
        assert 'value="3"' in owner.get(f"/orgs/{world.org_a}/privacy").text
        refused = owner.post(f"/orgs/{world.org_a}/privacy/deletion", deletion_grace_days="31")
        assert refused.status_code == 400
        assert "0 to 30" in refused.text

    def test_member_cannot(self, as_user: Login, world: World) -> None:
        member = as_user("member")
        response = member.post(f"/orgs/{world.org_a}/privacy/deletion", deletion_grace_days="0")
        assert response.status_code == 403


class TestLegalHolds:
    def test_staff_place_and_lift_the_organization_sees_it(
        self, as_user: Login, world: World
    ) -> None:
        staff = as_user("staff")
        placed = staff.post(f"/staff/organizations/{world.org_a}/holds", reason="Subpoena 2026-44")
        assert placed.status_code == 303
        page = as_user("owner").get(f"/orgs/{world.org_a}/data").text
        assert 'data-testid="hold-badge"' in page and "Subpoena 2026-44" in page
        holds_page = staff.get(f"/staff/organizations/{world.org_a}/holds").text
        hold_id = re.search(r"/holds/(hold_[0-9a-f]+)/lift", holds_page).group(1)  # type: ignore[union-attr]
        lifted = staff.post(f"/staff/organizations/{world.org_a}/holds/{hold_id}/lift")
        assert lifted.status_code == 303
        assert (
            'data-testid="hold-badge"' not in as_user("owner").get(f"/orgs/{world.org_a}/data").text
        )

    def test_a_reason_is_required(self, as_user: Login, world: World) -> None:
        staff = as_user("staff")
        response = staff.post(f"/staff/organizations/{world.org_a}/holds", reason=" ")
        assert response.status_code == 400

    def test_only_staff(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        assert owner.get(f"/staff/organizations/{world.org_a}/holds").status_code == 404
        response = owner.post(f"/staff/organizations/{world.org_a}/holds", reason="mine")
        assert response.status_code == 404


class TestBatchJobsSection:
    def test_a_job_shows_with_its_progress(
        self, live_server: LiveServer, as_user: Login, world: World
    ) -> None:
        async def make_key(session):  # type: ignore[no-untyped-def]
            organization = await organization_service.get(session, world.org_a)
            _, key = await api_key_service.create(
                session, CLI, live_server.state.keys.api_key_hmac, organization, name="t"
            )
            return key

        key = in_session(live_server, make_key)
        created = client_for(live_server, key).post(
            "/v1/batch/jobs",
            json={
                "endpoint": "/v1/embeddings",
                "model": "test-model",
                "requests": [{"body": {"input": ["a"]}}, {"body": {"input": ["b"]}}],
            },
        )
        assert created.status_code == 200, created.text
        job_id = created.json()["id"]
        page = as_user("member").get(f"/orgs/{world.org_a}/data").text
        row = page.split(f'data-job-id="{job_id}"')[1].split("</tr>")[0]
        assert "QUEUED" in row and "0 / 2" in row
