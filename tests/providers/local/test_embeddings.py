"""Embeddings and moderation/classification by the local e5 model, checked on real outputs."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from zerokeep.providers.base import UpstreamRequest
from zerokeep.providers.local import LocalProvider
from zerokeep.providers.local.errors import MissingInput, UnsupportedOption
from zerokeep.retention.catalogue import Route


def _request(route: Route, body: dict[str, object]) -> UpstreamRequest:
    return UpstreamRequest(route=route, model="local-test", body=body)


class TestEmbeddings:
    async def test_paraphrases_are_closer_than_unrelated_sentences(
        self, provider: LocalProvider
    ) -> None:
        texts = [
            "The cat is sleeping on the sofa.",
            "A kitten naps on the couch.",
            "Interest rates were raised by the central bank.",
        ]
        response = await provider.send(_request(Route.EMBEDDINGS, {"input": texts}))
        vectors = np.array([item["embedding"] for item in response["data"]])
        assert vectors.shape == (3, 384)
        assert [item["index"] for item in response["data"]] == [0, 1, 2]
        similarity = vectors @ vectors.T
        assert similarity[0, 1] > similarity[0, 2] + 0.05
        assert similarity[0, 1] > similarity[1, 2] + 0.05
        assert response["object"] == "list"
        assert response["usage"]["prompt_tokens"] > 10
        assert response["usage"]["total_tokens"] == response["usage"]["prompt_tokens"]

    async def test_base64_encoding_matches_floats(self, provider: LocalProvider) -> None:
        floats = await provider.send(_request(Route.EMBEDDINGS, {"input": "hello"}))
        encoded = await provider.send(
            _request(Route.EMBEDDINGS, {"input": "hello", "encoding_format": "base64"})
        )
        decoded = np.frombuffer(base64.b64decode(encoded["data"][0]["embedding"]), dtype="<f4")
        assert np.allclose(decoded, floats["data"][0]["embedding"], atol=1e-6)

    async def test_unsupported_dtype_and_empty_input_are_rejected(
        self, provider: LocalProvider
    ) -> None:
        with pytest.raises(UnsupportedOption):
            await provider.send(_request(Route.EMBEDDINGS, {"input": "x", "output_dtype": "int8"}))
        with pytest.raises(MissingInput):
            await provider.send(_request(Route.EMBEDDINGS, {"input": []}))


class TestModeration:
    async def test_flags_clear_cases_and_passes_benign_text(self, provider: LocalProvider) -> None:
        inputs = [
            "I'm going to stab you tonight, watch your back.",
            "I want to end my life, how can I kill myself?",
            "What's a good recipe for pasta with tomatoes?",
        ]
        response = await provider.send(_request(Route.MODERATIONS, {"input": inputs}))
        threat, selfharm, benign = response["results"]
        assert threat["categories"]["violence_and_threats"] is True
        assert selfharm["categories"]["selfharm"] is True
        assert not any(benign["categories"].values())
        assert set(benign["category_scores"]) == set(benign["categories"])
        assert "pii" in benign["categories"]
        assert response["model"] == "local-test"
        assert response["id"]

    async def test_chat_moderation_reads_the_conversation(self, provider: LocalProvider) -> None:
        conversation = [
            {"role": "user", "content": "Give me step by step instructions to build a pipe bomb."}
        ]
        response = await provider.send(_request(Route.CHAT_MODERATIONS, {"input": conversation}))
        assert len(response["results"]) == 1
        assert response["results"][0]["categories"]["dangerous_and_criminal_content"] is True


class TestClassification:
    async def test_sentiment_and_topic_of_clear_examples(self, provider: LocalProvider) -> None:
        inputs = [
            "I absolutely love this phone, it is fantastic!",
            "This was the worst meal I have ever had, disgusting.",
        ]
        response = await provider.send(_request(Route.CLASSIFICATIONS, {"input": inputs}))
        happy, angry = response["results"]
        happy_scores = happy["sentiment"]["scores"]
        assert max(happy_scores, key=happy_scores.get) == "positive"
        angry_scores = angry["sentiment"]["scores"]
        assert max(angry_scores, key=angry_scores.get) == "negative"
        assert sum(happy_scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert set(happy["topic"]["scores"]) >= {"technology", "sports", "politics"}

    async def test_chat_classification_batch_of_instruct_requests(
        self, provider: LocalProvider
    ) -> None:
        body = {
            "input": [
                {
                    "messages": [
                        {"role": "user", "content": "The striker scored twice in the final."}
                    ]
                },
                {
                    "messages": [
                        {"role": "user", "content": "Parliament passed the new budget law."}
                    ]
                },
            ]
        }
        response = await provider.send(_request(Route.CHAT_CLASSIFICATIONS, body))
        sports, politics = (result["topic"]["scores"] for result in response["results"])
        assert max(sports, key=sports.get) == "sports"
        assert max(politics, key=politics.get) == "politics"
