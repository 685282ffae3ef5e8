"""Request body of `/v1/ocr`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Tag

from .base import ARRAY, STRING, ClosedModel, by_kind, by_type_or_keys
from .content import DocumentURLChunk, FileChunk, ImageURLChunk
from .tools import ResponseFormat

# The spec's `document` is an `anyOf` without a discriminator and each branch defaults its
# `type`, so `{"document_url": "..."}` alone is valid: fall back to the branch's own key.
OCRDocument = Annotated[
    Annotated[FileChunk, Tag("file")]
    | Annotated[DocumentURLChunk, Tag("document_url")]
    | Annotated[ImageURLChunk, Tag("image_url")],
    by_type_or_keys({"file_id": "file", "document_url": "document_url", "image_url": "image_url"}),
]

Pages = Annotated[
    Annotated[str, Tag(STRING)] | Annotated[list[int], Tag(ARRAY)], by_kind(STRING, ARRAY)
]


class OCRRequest(ClosedModel):
    """Spec `OCRRequest`. `model` is required but nullable."""

    model: str | None
    document: OCRDocument
    pages: Pages | None = None
    include_image_base64: bool | None = None
    image_limit: int | None = None
    image_min_size: int | None = None
    bbox_annotation_format: ResponseFormat | None = None
    document_annotation_format: ResponseFormat | None = None
    document_annotation_prompt: str | None = None
    table_format: Literal["markdown", "html"] | None = None
    extract_header: bool = False
    extract_footer: bool = False
    include_blocks: bool = True
    confidence_scores_granularity: Literal["word", "page", "block"] | None = None
