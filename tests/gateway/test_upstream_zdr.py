"""Organizations that require upstream ZDR: refused on a retaining upstream, never a fallback.

"retaining-model" is served by the OpenAI-compatible upstream, which declares 30 days;
"test-model" by the Mistral-dialect upstream, which declares retention none.
"""

from __future__ import annotations

import httpx
import pytest
from mistralai.client import Mistral, errors
from sqlalchemy import update

from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.db import unit_of_work
from zerokeep.models import Organization

OPENAI_CHAT = "/openai/v1/chat/completions"
OPENAI_EMBEDDINGS = "/openai/v1/embeddings"


def require_upstream_zdr(live_server: LiveServer, organization_id: str, value: bool) -> None:
    async def work() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            await session.execute(
                update(Organization)
                .where(Organization.id == organization_id)
                .values(requires_upstream_zdr=value)
            )

    live_server.run(work())
    live_server.state.policy_changed()


@pytest.fixture()
def strict_org(live_server: LiveServer) -> tuple[str, httpx.Client]:
    org_id, key = live_server.new_organization(zdr=True)
    require_upstream_zdr(live_server, org_id, True)
    client = httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    return key, client


def chat(client: httpx.Client, model: str, stream: bool = False) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "private"}], "stream": stream}
    return client.post("/v1/chat/completions", json=body)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["object"] == "error"
    assert body["type"] == "permission_error"
    assert body["code"] == "upstream_zdr_unavailable"
    message = body["message"].lower()
    assert "upstream zero data retention" in message
    assert "retains" in message
    assert response.headers["zerokeep-retention"] == "none"


class TestRequiresUpstreamZdr:
    def test_retaining_upstream_is_refused(
        self, strict_org: tuple[str, httpx.Client], fake_upstream: FakeUpstream
    ) -> None:
        _, client = strict_org
        before = fake_upstream.count(OPENAI_CHAT)
        assert_refused(chat(client, "retaining-model"))
        assert fake_upstream.count(OPENAI_CHAT) == before

    def test_stream_on_retaining_upstream_is_refused(
        self, strict_org: tuple[str, httpx.Client], fake_upstream: FakeUpstream
    ) -> None:
        _, client = strict_org
        before = fake_upstream.count(OPENAI_CHAT)
        assert_refused(chat(client, "retaining-model", stream=True))
        assert fake_upstream.count(OPENAI_CHAT) == before

    def test_embeddings_on_retaining_upstream_are_refused(
        self, strict_org: tuple[str, httpx.Client], fake_upstream: FakeUpstream
    ) -> None:
        _, client = strict_org
        before = fake_upstream.count(OPENAI_EMBEDDINGS)
        response = client.post("/v1/embeddings", json={"model": "retaining-model", "input": "x"})
        assert_refused(response)
        assert fake_upstream.count(OPENAI_EMBEDDINGS) == before

    def test_non_retaining_upstream_works(
        self, strict_org: tuple[str, httpx.Client], fake_upstream: FakeUpstream
    ) -> None:
        _, client = strict_org
        before = fake_upstream.count("/v1/chat/completions")
        openai_before = fake_upstream.count(OPENAI_CHAT)
        response = chat(client, "test-model")
        assert response.status_code == 200
        assert response.json()["model"] == "test-model"
        assert fake_upstream.count("/v1/chat/completions") == before + 1
        assert fake_upstream.count(OPENAI_CHAT) == openai_before

    def test_sdk_raises_with_the_reason(
        self, live_server: LiveServer, strict_org: tuple[str, httpx.Client]
    ) -> None:
        key, _ = strict_org
        client = Mistral(api_key=key, server_url=live_server.base_url)
        with pytest.raises(errors.SDKError) as raised:
            client.chat.complete(
                model="retaining-model", messages=[{"role": "user", "content": "private"}]
            )
        assert raised.value.status_code == 403
        assert "upstream_zdr_unavailable" in raised.value.body

    def test_lifting_the_requirement_allows_the_retaining_upstream(
        self, live_server: LiveServer, fake_upstream: FakeUpstream
    ) -> None:
        org_id, key = live_server.new_organization(zdr=True)
        client = httpx.Client(
            base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        require_upstream_zdr(live_server, org_id, True)
        assert_refused(chat(client, "retaining-model"))
        require_upstream_zdr(live_server, org_id, False)
        before = fake_upstream.count(OPENAI_CHAT)
        response = chat(client, "retaining-model")
        assert response.status_code == 200
        assert fake_upstream.count(OPENAI_CHAT) == before + 1


class TestPolicyStoreUnreachable:
    """Fail closed (DESIGN invariant 3): when the policy cannot be read, a key seen recently
    keeps working with a retain-nothing decision. The organization's upstream-ZDR requirement
    is then unknown, so a retaining upstream must not be used either."""

    def test_strict_org_is_not_routed_to_a_retaining_upstream(
        self,
        live_server: LiveServer,
        fake_upstream: FakeUpstream,
        strict_org: tuple[str, httpx.Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        _, client = strict_org
        assert chat(client, "test-model").status_code == 200  # the key is now cached

        async def unreachable(_: str) -> None:
            raise OSError("policy store down")

        authenticator = live_server.state.gateway.authenticator
        monkeypatch.setattr(authenticator, "_ttl", 0.0)
        monkeypatch.setattr(authenticator, "_stale_while_refresh", 0.0)
        monkeypatch.setattr(authenticator, "_lookup", unreachable)
        before = fake_upstream.count(OPENAI_CHAT)
        response = chat(client, "retaining-model")
        assert response.headers["zerokeep-retention"] == "none"
        assert response.status_code == 403
        assert fake_upstream.count(OPENAI_CHAT) == before
