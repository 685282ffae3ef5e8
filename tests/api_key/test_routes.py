"""The JSON API for keys and the token budget (/v1/organization/api-keys, /budget), on both
backends: no key is 401, a valid call works and is audited; another organization's key id is a
404 (tests/test_tenancy.py)."""

from __future__ import annotations

from mistralai.client import Mistral

from tests.governance import client_for
from tests.harness import LiveServer


class TestApiKeys:
    def test_without_a_key_it_is_401(self, live_server: LiveServer) -> None:
        assert client_for(live_server, None).get("/v1/organization/api-keys").status_code == 401
        response = client_for(live_server, None).post(
            "/v1/organization/api-keys", json={"name": "x"}
        )
        assert response.status_code == 401

    def test_create_with_limits_list_and_revoke(self, live_server: LiveServer) -> None:
        _, admin_key = live_server.new_organization()
        client = client_for(live_server, admin_key)
        created = client.post(
            "/v1/organization/api-keys",
            json={
                "name": "ci",
                "allowed_models": ["test-model"],
                "requests_per_minute": 10,
                "monthly_token_budget": 5000,
            },
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["key"].startswith("zk_")
        assert (body["allowed_models"], body["requests_per_minute"]) == (["test-model"], 10)
        listed = client.get("/v1/organization/api-keys").json()["data"]
        assert body["id"] in {key["id"] for key in listed}
        assert all("key" not in key for key in listed)
        sdk = Mistral(api_key=body["key"], server_url=live_server.base_url)
        assert (
            sdk.chat.complete(
                model="test-model", messages=[{"role": "user", "content": "hi"}]
            ).model
            == "test-model"
        )
        revoked = client.delete(f"/v1/organization/api-keys/{body['id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None

    def test_bad_limit_is_a_400_naming_it(self, live_server: LiveServer) -> None:
        _, admin_key = live_server.new_organization()
        response = client_for(live_server, admin_key).post(
            "/v1/organization/api-keys", json={"name": "ci", "tokens_per_minute": 0}
        )
        assert response.status_code == 400
        assert response.json()["param"] == "tokens_per_minute"


class TestBudget:
    def test_admin_sets_and_removes_the_budget(self, live_server: LiveServer) -> None:
        _, admin_key = live_server.new_organization()
        client = client_for(live_server, admin_key)
        assert client.get("/v1/organization/budget").json()["monthly_token_budget"] is None
        updated = client.put("/v1/organization/budget", json={"monthly_token_budget": 100000})
        assert updated.status_code == 200
        assert client.get("/v1/organization/budget").json()["monthly_token_budget"] == 100000
        cleared = client.put("/v1/organization/budget", json={"monthly_token_budget": None})
        assert cleared.json()["monthly_token_budget"] is None

    def test_without_a_key_it_is_401(self, live_server: LiveServer) -> None:
        response = client_for(live_server, None).put(
            "/v1/organization/budget", json={"monthly_token_budget": 1}
        )
        assert response.status_code == 401
