"""GET /v1/models and /v1/models/{id}: what the official SDK needs, and 404 for the unknown."""

from __future__ import annotations

import httpx
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import MistralError

from tests.conftest import gateway_models
from tests.harness import LiveServer

CANARY = "canary-models-3c88d1"


@pytest.fixture()
def client(live_server: LiveServer) -> Mistral:
    _, key = live_server.new_organization()
    return Mistral(api_key=key, server_url=live_server.base_url)


class TestListModels:
    def test_sdk_lists_every_configured_model(self, client: Mistral) -> None:
        listed = client.models.list()
        assert {model.id for model in listed.data} == {model.name for model in gateway_models()}

    def test_cards_declare_type_capabilities_and_upstream_retention(
        self, live_server: LiveServer
    ) -> None:
        _, key = live_server.new_organization()
        response = httpx.get(
            live_server.base_url + "/v1/models", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200
        assert response.headers["zerokeep-retention"] == "metadata"
        body = response.json()
        assert body["object"] == "list"
        cards = {card["id"]: card for card in body["data"]}
        assert all(card["type"] == "base" and card["object"] == "model" for card in cards.values())
        test_model = cards["test-model"]
        assert test_model["capabilities"]["completion_chat"] is True
        assert test_model["capabilities"]["ocr"] is True
        assert test_model["zerokeep"]["upstream_retention"] == "none"
        retaining = cards["retaining-model"]
        assert retaining["capabilities"]["completion_fim"] is False
        assert retaining["zerokeep"]["upstream_retention"] == "30 days"
        assert retaining["zerokeep"]["routes"] == ["/v1/chat/completions", "/v1/embeddings"]


class TestRetrieveModel:
    def test_sdk_retrieves_a_model(self, client: Mistral) -> None:
        model = client.models.retrieve(model_id="test-model")
        assert model.id == "test-model"
        assert model.type == "base"
        assert model.capabilities.completion_chat is True

    def test_unknown_model_is_404(self, client: Mistral) -> None:
        with pytest.raises(MistralError) as raised:
            client.models.retrieve(model_id=CANARY)
        assert raised.value.status_code == 404
        assert CANARY not in raised.value.body

    def test_without_a_key_is_401(self, live_server: LiveServer) -> None:
        response = httpx.get(live_server.base_url + "/v1/models/test-model")
        assert response.status_code == 401
