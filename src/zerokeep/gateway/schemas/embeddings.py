"""Request body of `/v1/embeddings`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Tag

from .base import ARRAY, STRING, ClosedModel, by_kind

TextInput = Annotated[
    Annotated[str, Tag(STRING)] | Annotated[list[str], Tag(ARRAY)], by_kind(STRING, ARRAY)
]


class EmbeddingRequest(ClosedModel):
    """Spec `EmbeddingRequest` (the SDK's `inputs=` travels as `input`)."""

    model: str
    input: TextInput
    output_dimension: Annotated[int, Field(gt=0)] | None = None
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"] = "float"
    encoding_format: Literal["float", "base64"] = "float"
    metadata: dict[str, Any] | None = None
