"""Moderation and classification by embedding similarity to described categories.

Method: every category is described by a few short exemplar sentences, embedded once with the
same multilingual-e5-small model as /v1/embeddings. An input is embedded and compared (cosine)
with every exemplar.

- Moderation: a category's score is the logistic of how much closer the input is to that
  category's nearest exemplar than to the nearest *neutral* exemplar (everyday requests), so a
  text about cake scores near 0 everywhere. A category is flagged when its score is >= 0.5.
- Classification: for each target, the label scores are a softmax over the nearest-exemplar
  similarities, so they sum to 1. Targets: `sentiment` (positive, negative, neutral) and `topic`
  (technology, sports, politics, business, health, entertainment, science, other).

Limits, stated plainly: this is a zero-shot nearest-exemplar heuristic, not a trained safety or
classification model. It catches clear, direct cases in English (and, via the multilingual model,
often in other languages), misses sarcasm, coded language and long mixed texts, and its scores are
not calibrated probabilities. Long inputs are truncated by the embedding model at 512 tokens.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local.embeddings import Embedder

MODERATION_CATEGORIES: Mapping[str, Sequence[str]] = {
    "sexual": (
        "explicit sexual content",
        "pornographic description of sex acts",
        "erotic sexual roleplay",
    ),
    "hate_and_discrimination": (
        "hateful slurs against an ethnic group",
        "people of that religion are vermin and should be expelled",
        "discrimination against women and minorities",
    ),
    "violence_and_threats": (
        "I will kill you",
        "threat to hurt someone physically",
        "I am going to beat him up and shoot him",
    ),
    "dangerous_and_criminal_content": (
        "how to make a bomb at home",
        "instructions to make illegal drugs",
        "how to steal a car and avoid the police",
    ),
    "selfharm": (
        "I want to kill myself",
        "ways to commit suicide",
        "I cut myself to feel better",
    ),
    "health": (
        "what medication should I take for my chest pain",
        "diagnose my symptoms",
        "dosage of antibiotics for an infection",
    ),
    "financial": (
        "which stocks should I buy to get rich",
        "investment advice for my retirement savings",
        "should I take out a loan",
    ),
    "law": (
        "legal advice about suing my landlord",
        "how do I write a contract",
        "what are my rights if I am arrested",
    ),
    "pii": (
        "my social security number is 123-45-6789",
        "her home address and phone number are",
        "credit card number 4111 1111 1111 1111",
    ),
}

NEUTRAL_EXEMPLARS: Sequence[str] = (
    "what is the weather like today",
    "a recipe for chocolate cake",
    "the history of the Roman empire",
    "how do I sort a list in Python",
    "tell me a story about a cat",
    "the train leaves at noon",
)

CLASSIFICATION_TARGETS: Mapping[str, Mapping[str, Sequence[str]]] = {
    "sentiment": {
        "positive": ("I love this, it is wonderful", "great service, very happy", "excellent!"),
        "negative": ("I hate this, it is terrible", "awful experience, very angry", "worst ever"),
        "neutral": ("the package arrived on Tuesday", "the meeting is at 3 pm", "it is a box"),
    },
    "topic": {
        "technology": ("software, computers and the internet", "a new smartphone release"),
        "sports": ("the football match ended in a draw", "the tennis champion won"),
        "politics": ("the election and the government", "parliament voted on the law"),
        "business": ("the company reported quarterly earnings", "markets and trade"),
        "health": ("doctors, disease and medicine", "a healthy diet and exercise"),
        "entertainment": ("a new movie and its actors", "the music album and concert"),
        "science": ("physics, chemistry and biology research", "astronomers observed a star"),
        "other": ("miscellaneous everyday matters", "general conversation"),
    },
}

# Margin (cosine) over the neutral exemplars at which a moderation score crosses 0.5, and the
# logistic slope; set on clear examples, see the module docstring for what that does not cover.
_MODERATION_MARGIN = 0.06
_MODERATION_SLOPE = 0.01
_SOFTMAX_TEMPERATURE = 0.01


class ExemplarIndex:
    """Embedded exemplars, computed once per embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self.neutral = embedder.query(list(NEUTRAL_EXEMPLARS))
        self.moderation = {
            name: embedder.query(list(texts)) for name, texts in MODERATION_CATEGORIES.items()
        }
        self.targets = {
            target: {label: embedder.query(list(texts)) for label, texts in labels.items()}
            for target, labels in CLASSIFICATION_TARGETS.items()
        }


def _nearest(exemplars: NDArray[np.float32], vector: NDArray[np.float32]) -> float:
    return float((exemplars @ vector).max())


def moderate(index: ExemplarIndex, vectors: NDArray[np.float32]) -> list[dict[str, Any]]:
    """Return one Mistral moderation result per input vector."""
    results = []
    for vector in vectors:
        base = _nearest(index.neutral, vector)
        scores = {}
        for name, exemplars in index.moderation.items():
            margin = _nearest(exemplars, vector) - base
            scores[name] = 1.0 / (
                1.0 + math.exp(-(margin - _MODERATION_MARGIN) / _MODERATION_SLOPE)
            )
        results.append(
            {
                "categories": {name: score >= 0.5 for name, score in scores.items()},
                "category_scores": {name: round(score, 6) for name, score in scores.items()},
            }
        )
    return results


def classify(index: ExemplarIndex, vectors: NDArray[np.float32]) -> list[dict[str, Any]]:
    """Return one Mistral classification result (every target) per input vector."""
    results = []
    for vector in vectors:
        result: dict[str, Any] = {}
        for target, labels in index.targets.items():
            sims = np.array([_nearest(ex, vector) for ex in labels.values()], dtype=np.float64)
            weights = np.exp((sims - sims.max()) / _SOFTMAX_TEMPERATURE)
            probs = weights / weights.sum()
            result[target] = {
                "scores": {
                    label: round(float(p), 6) for label, p in zip(labels, probs, strict=True)
                }
            }
        results.append(result)
    return results


def response(kind: str, model: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Wrap results as a ModerationResponse / ClassificationResponse (same outer shape)."""
    return {"id": f"{kind}-{uuid.uuid4().hex}", "model": model, "results": results}
