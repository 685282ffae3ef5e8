"""Invariant 6 on every route: another organization's resource is a 404, never a 403.

The test walks the API's own route table (the OpenAPI paths), so a new route that takes a
resource id fails here until it is listed below with a way to create such a resource, or
with the reason it is not tenant-scoped.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.governance import client_for, good_form
from tests.harness import LiveServer
from zerokeep.lifecycle.purge import purge_due, purger_for
from zerokeep.retention.policy import Plan

Owner = Callable[[LiveServer, str], str]  # (server, owner's key) -> id of a resource it owns


def zdr_request_of(server: LiveServer, key: str) -> str:
    created = client_for(server, key).post("/v1/organization/zdr-requests", json=good_form())
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def file_of(server: LiveServer, key: str) -> str:
    uploaded = client_for(server, key).post(
        "/v1/files", files={"file": ("a.jsonl", b'{"a": 1}\n')}, data={"purpose": "batch"}
    )
    assert uploaded.status_code == 200, uploaded.text
    return str(uploaded.json()["id"])


def batch_job_of(server: LiveServer, key: str) -> str:
    created = client_for(server, key).post(
        "/v1/batch/jobs",
        json={"endpoint": "/v1/embeddings", "model": "test-model", "requests": [{"body": {}}]},
    )
    assert created.status_code == 200, created.text
    return str(created.json()["id"])


def deletion_of(server: LiveServer, key: str) -> str:
    client = client_for(server, key)
    file_id = file_of(server, key)
    assert client.delete(f"/v1/files/{file_id}").status_code == 200
    deleted = client.get("/v1/organization/deleted").json()["data"]
    return str(next(item["id"] for item in deleted if item["object_id"] == file_id))


def purged_deletion_of(server: LiveServer, key: str) -> str:
    client = client_for(server, key)
    assert client.patch("/v1/organization/privacy", json={"deletion_grace_days": 0}).is_success
    deletion_id = deletion_of(server, key)
    server.run(purge_due(server.state.sessions, purger_for(server.state)))
    return deletion_id


def api_key_of(server: LiveServer, key: str) -> str:
    created = client_for(server, key).post("/v1/organization/api-keys", json={"name": "t"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


# templated path -> (method, how to make a resource of the owning organization)
TENANT_SCOPED: dict[str, tuple[str, Owner]] = {
    "/v1/organization/api-keys/{key_id}": ("DELETE", api_key_of),
    "/v1/organization/zdr-requests/{request_id}": ("GET", zdr_request_of),
    "/v1/organization/zdr-requests/{request_id}/withdraw": ("POST", zdr_request_of),
    # DELETE /v1/files/{file_id} goes through the same door: tests/files cover it.
    "/v1/files/{file_id}": ("GET", file_of),
    "/v1/files/{file_id}/content": ("GET", file_of),
    "/v1/files/{file_id}/url": ("GET", file_of),
    "/v1/batch/jobs/{job_id}": ("GET", batch_job_of),
    "/v1/batch/jobs/{job_id}/cancel": ("POST", batch_job_of),
    # DELETE /v1/batch/jobs/{job_id}: tests/batch cover it (the same door as GET).
    "/v1/organization/deleted/{deletion_id}/restore": ("POST", deletion_of),
    "/v1/organization/deleted/{deletion_id}/receipt": ("GET", purged_deletion_of),
}
# templated paths that take an id but are not scoped to the caller's organization
NOT_TENANT_SCOPED = {
    "/v1/models/{model_id}": "models are the deployment's, the same for every organization",
    "/v1/staff/zdr-requests/{request_id}/approve": "platform staff act on every organization",
    "/v1/staff/zdr-requests/{request_id}/deny": "platform staff act on every organization",
}


def templated_paths(server: LiveServer) -> set[str]:
    schema = client_for(server, None).get("/openapi.json").json()
    return {path for path in schema["paths"] if "{" in path}


class TestEveryRouteIsTenantScoped:
    def test_every_route_with_an_id_is_listed(self, live_server: LiveServer) -> None:
        unlisted = templated_paths(live_server) - set(TENANT_SCOPED) - set(NOT_TENANT_SCOPED)
        assert unlisted == set(), f"list these in tests/test_tenancy.py: {sorted(unlisted)}"

    @pytest.mark.parametrize("template", sorted(TENANT_SCOPED))
    def test_another_organizations_id_is_404(self, live_server: LiveServer, template: str) -> None:
        method, make = TENANT_SCOPED[template]
        _, owner_key = live_server.new_organization(plan=Plan.SCALE)
        _, stranger_key = live_server.new_organization(plan=Plan.SCALE)
        resource_id = make(live_server, owner_key)
        path = template.replace("{" + template.split("{")[1].split("}")[0] + "}", resource_id)
        response = client_for(live_server, stranger_key).request(method, path)
        assert response.status_code == 404, response.text
        assert response.json()["object"] == "error"
        # ...while the owner reaches it: the 404 is about tenancy, not a broken route.
        assert client_for(live_server, owner_key).request(method, path).status_code == 200
