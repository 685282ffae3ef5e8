"""Per-key controls through the mistralai SDK on both backends: a model allow-list and the key's
own requests and tokens per minute, each refused with a message that says what to do."""

from __future__ import annotations

import orjson
import pytest
from mistralai.client import Mistral, errors
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api_key.test_service import in_session
from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.api_key.limits import KeyLimits
from zerokeep.audit.actions import CLI
from zerokeep.models import Organization
from zerokeep.organization import budget as organization_budget

MESSAGES = [{"role": "user", "content": "hello"}]


def key_with(server: LiveServer, limits: KeyLimits, organization_id: str | None = None) -> str:
    if organization_id is None:
        organization_id, _ = server.new_organization()

    async def work(session: AsyncSession) -> str:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        _, plaintext = await api_key_service.create(
            session, CLI, server.state.keys.api_key_hmac, organization, name="l", limits=limits
        )
        return plaintext

    return in_session(server, work)


class TestModelAllowList:
    def test_an_allowed_model_answers_and_another_is_403(self, live_server: LiveServer) -> None:
        key = key_with(live_server, KeyLimits(allowed_models=frozenset({"test-model"})))
        client = Mistral(api_key=key, server_url=live_server.base_url)
        assert client.chat.complete(model="test-model", messages=MESSAGES).model == "test-model"
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="retaining-model", messages=MESSAGES)
        assert caught.value.status_code == 403
        body = orjson.loads(caught.value.body)
        assert body["code"] == "model_not_allowed" and "allow-list" in body["message"]


class TestKeyRates:
    def test_the_keys_requests_per_minute_is_a_429_naming_the_key(
        self, live_server: LiveServer
    ) -> None:
        key = key_with(live_server, KeyLimits(requests_per_minute=2))
        client = Mistral(api_key=key, server_url=live_server.base_url)
        for _ in range(2):
            client.chat.complete(model="test-model", messages=MESSAGES)
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="test-model", messages=MESSAGES)
        assert caught.value.status_code == 429
        assert int(caught.value.headers["retry-after"]) >= 1
        assert "this API key" in orjson.loads(caught.value.body)["message"]

    def test_the_keys_tokens_per_minute_is_charged(self, live_server: LiveServer) -> None:
        key = key_with(live_server, KeyLimits(tokens_per_minute=1))
        client = Mistral(api_key=key, server_url=live_server.base_url)
        client.chat.complete(model="test-model", messages=MESSAGES)  # spends more than 1 token
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="test-model", messages=MESSAGES)
        assert caught.value.status_code == 429

    def test_other_keys_of_the_organization_are_not_limited_by_it(
        self, live_server: LiveServer
    ) -> None:
        organization_id, free = live_server.new_organization()
        limited = key_with(live_server, KeyLimits(requests_per_minute=1), organization_id)
        Mistral(api_key=limited, server_url=live_server.base_url).chat.complete(
            model="test-model", messages=MESSAGES
        )
        client = Mistral(api_key=free, server_url=live_server.base_url)
        for _ in range(3):
            client.chat.complete(model="test-model", messages=MESSAGES)


class TestCheckedLimits:
    @pytest.mark.parametrize(
        "limits",
        [
            KeyLimits(requests_per_minute=0),
            KeyLimits(tokens_per_minute=-1),
            KeyLimits(allowed_models=frozenset()),
            KeyLimits(allowed_models=frozenset({"bad name with spaces"})),
        ],
    )
    def test_bad_limits_are_refused(self, limits: KeyLimits) -> None:
        from zerokeep.errors import InvalidRequest

        with pytest.raises(InvalidRequest):
            limits.checked()


class TestMonthlyBudgets:
    def test_a_spent_key_budget_is_a_429_until_next_month(self, live_server: LiveServer) -> None:
        key = key_with(live_server, KeyLimits(monthly_token_budget=1))
        client = Mistral(api_key=key, server_url=live_server.base_url)
        client.chat.complete(model="test-model", messages=MESSAGES)  # spends more than 1 token
        live_server.flush()  # usage rows are written in batches
        live_server.state.policy_changed()  # and read with the key's lookup (<= 1 s old)
        with pytest.raises(errors.SDKError) as caught:
            client.chat.complete(model="test-model", messages=MESSAGES)
        assert caught.value.status_code == 429
        body = orjson.loads(caught.value.body)
        assert body["code"] == "monthly_budget_spent" and "API key" in body["message"]
        assert int(caught.value.headers["retry-after"]) >= 1

    def test_a_spent_organization_budget_stops_every_key(self, live_server: LiveServer) -> None:
        organization_id, first = live_server.new_organization()
        second = key_with(live_server, KeyLimits(), organization_id)

        async def set_budget(session: AsyncSession) -> None:
            organization = await session.get(Organization, organization_id)
            assert organization is not None
            await organization_budget.set_monthly_token_budget(session, CLI, organization, 5)

        in_session(live_server, set_budget)
        Mistral(api_key=first, server_url=live_server.base_url).chat.complete(
            model="test-model", messages=[{"role": "user", "content": "a longer prompt " * 4}]
        )
        live_server.flush()
        live_server.state.policy_changed()
        with pytest.raises(errors.SDKError) as caught:
            Mistral(api_key=second, server_url=live_server.base_url).chat.complete(
                model="test-model", messages=MESSAGES
            )
        assert caught.value.status_code == 429
        assert "organization's monthly token budget" in orjson.loads(caught.value.body)["message"]
