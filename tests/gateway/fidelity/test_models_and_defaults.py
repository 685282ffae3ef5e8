"""Defects 7 and 8: default models per route; GET/DELETE /v1/models as the spec defines them;
Vibe's start-up call to /v1/connectors/bootstrap."""

from __future__ import annotations

import httpx
import pytest
from mistralai.client import Mistral, errors

from tests.fakes.scripted import Reply, ScriptedUpstream
from tests.harness import LiveServer

OCR = "/v1/ocr"
SPEECH = "/v1/audio/speech"
PNG = "data:image/png;base64,iVBORw0KGgo="


class TestDefaultModel:
    def test_ocr_with_null_model_uses_the_route_default(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(
            OCR,
            Reply.json({"pages": [], "model": "up", "usage_info": {"pages_processed": 0}}),
        )
        result = client.ocr.process(model=None, document={"type": "image_url", "image_url": PNG})
        assert result.model == "m-mistral"
        assert mistral.bodies(OCR)[-1]["model"] == "m-mistral"

    def test_speech_without_model_uses_the_route_default(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(SPEECH, Reply.json({"audio_data": "AAAA"}))
        result = client.audio.speech.complete(input="hello")
        assert result.audio_data == "AAAA"
        assert mistral.bodies(SPEECH)[-1]["model"] == "m-mistral"

    def test_alias_routes_to_the_model(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(SPEECH, Reply.json({"audio_data": "AAAA"}))
        client.audio.speech.complete(model="m-mistral-latest", input="hello")
        assert mistral.bodies(SPEECH)[-1]["model"] == "m-mistral"


class TestModelCards:
    def test_capabilities_context_and_aliases_come_from_the_configuration(
        self, client: Mistral
    ) -> None:
        card = client.models.retrieve(model_id="m-mistral")
        assert card.capabilities.function_calling is True
        assert card.capabilities.vision is True
        assert card.max_context_length == 131072
        assert card.aliases == ["m-mistral-latest"]
        other = client.models.retrieve(model_id="m-openai")
        assert other.capabilities.function_calling is False
        assert other.max_context_length == 32768

    def test_delete_of_a_base_model_is_403(self, client: Mistral) -> None:
        with pytest.raises(errors.SDKError) as caught:
            client.models.delete(model_id="m-mistral")
        assert caught.value.status_code == 403

    def test_delete_of_an_unknown_model_is_404(self, client: Mistral) -> None:
        with pytest.raises(errors.SDKError) as caught:
            client.models.delete(model_id="no-such-model")
        assert caught.value.status_code == 404


class TestConnectorsBootstrap:
    def test_a_deployment_without_connectors_answers_an_empty_list(
        self, gateway: LiveServer, api_key: str
    ) -> None:
        response = httpx.get(
            gateway.base_url + "/v1/connectors/bootstrap",
            params={"include_auth_actionable_connectors": "true"},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert response.status_code == 200
        assert response.json() == {"connectors": []}

    def test_without_a_key_it_is_401(self, gateway: LiveServer) -> None:
        response = httpx.get(gateway.base_url + "/v1/connectors/bootstrap")
        assert response.status_code == 401
