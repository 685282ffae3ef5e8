"""Prices from the configuration and the cost of usage: per organization, key and model, in the
JSON API (the fidelity gateway prices m-mistral at 2 and 6 per million tokens)."""

from __future__ import annotations

import httpx
import pytest
from mistralai.client import Mistral

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.gateway.schemas.capture_server import COMPLETION
from tests.harness import LiveServer
from zerokeep.config import ModelSettings
from zerokeep.retention.catalogue import Route
from zerokeep.usage.cost import Prices


class TestPrices:
    def test_cost_of_a_priced_model_and_none_for_others(self) -> None:
        priced = ModelSettings(
            name="p",
            provider="x",
            routes=[Route.CHAT_COMPLETIONS],
            input_price_per_million=1.5,
            output_price_per_million=4.0,
        )
        free = ModelSettings(name="f", provider="x", routes=[Route.CHAT_COMPLETIONS])
        prices = Prices.from_models([priced, free])
        assert prices.cost("p", 1_000_000, 500_000) == pytest.approx(3.5)
        assert prices.cost("f", 10, 10) is None
        assert prices.cost(None, 10, 10) is None


class TestUsageApi:
    def test_cost_per_key_and_model(
        self,
        gateway: LiveServer,
        upstreams: tuple[ScriptedUpstream, ScriptedUpstream],
    ) -> None:
        mistral, _ = upstreams
        mistral.reply("/v1/chat/completions", Reply.json(COMPLETION))  # 3 prompt, 2 completion
        _, key = gateway.new_organization()
        client = Mistral(api_key=key, server_url=gateway.base_url)
        for _ in range(2):
            client.chat.complete(model="m-mistral", messages=[{"role": "user", "content": "hi"}])
        gateway.flush()
        response = httpx.get(
            gateway.base_url + "/v1/organization/usage",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200
        (line,) = response.json()["data"]
        assert (line["model"], line["requests"], line["prompt_tokens"]) == ("m-mistral", 2, 6)
        assert line["api_key_id"].startswith("key_")
        assert line["cost"] == pytest.approx((6 * 2.0 + 4 * 6.0) / 1_000_000)
        assert response.json()["total_cost"] == pytest.approx(line["cost"])

    def test_without_a_key_it_is_401(self, gateway: LiveServer) -> None:
        assert httpx.get(gateway.base_url + "/v1/organization/usage").status_code == 401
