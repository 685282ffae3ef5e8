"""Content chunks: the typed parts of a message's `content`, discriminated on `type`.

Spec `ContentChunk` plus the two chunk kinds SDK 3.7.0 adds (`resource`, `resource_link`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Tag

from .base import ARRAY, INTEGER, NULL, OBJECT, STRING, ClosedModel, by_kind, by_type_or_keys

# Spec `FileChunk.file_id` is `format: uuid`; a pattern (not uuid.UUID) keeps the wire string as
# sent and keeps the error message free of input characters.
UUID_PATTERN = (
    r"^(?:urn:uuid:)?\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$"
)

BuiltInConnector = Literal[
    "web_search", "web_search_premium", "code_interpreter", "image_generation", "document_library"
]


class TextChunk(ClosedModel):
    type: Literal["text"] = "text"
    text: str


class ImageURL(ClosedModel):
    url: str
    detail: Literal["low", "auto", "high"] | None = None


class ImageURLChunk(ClosedModel):
    type: Literal["image_url"] = "image_url"
    image_url: Annotated[
        Annotated[ImageURL, Tag(OBJECT)] | Annotated[str, Tag(STRING)],
        by_kind(OBJECT, STRING),
    ]


class DocumentURLChunk(ClosedModel):
    type: Literal["document_url"] = "document_url"
    document_url: str
    document_name: str | None = None


class ReferenceChunk(ClosedModel):
    type: Literal["reference"] = "reference"
    reference_ids: list[
        Annotated[
            Annotated[int, Tag(INTEGER)] | Annotated[str, Tag(STRING)], by_kind(INTEGER, STRING)
        ]
    ]


class FileChunk(ClosedModel):
    type: Literal["file"] = "file"
    file_id: Annotated[str, Field(pattern=UUID_PATTERN)]


class AudioChunk(ClosedModel):
    type: Literal["input_audio"] = "input_audio"
    input_audio: str


class ToolReferenceChunk(ClosedModel):
    type: Literal["tool_reference"] = "tool_reference"
    tool: str  # a BuiltInConnector name or a custom tool name
    title: str
    url: str | None = None
    favicon: str | None = None
    description: str | None = None


ThinkingPart = Annotated[
    Annotated[TextChunk, Tag("text")]
    | Annotated[ToolReferenceChunk, Tag("tool_reference")]
    | Annotated[ReferenceChunk, Tag("reference")],
    by_type_or_keys({"text": "text", "tool": "tool_reference", "reference_ids": "reference"}),
]


class ThinkChunk(ClosedModel):
    type: Literal["thinking"] = "thinking"
    thinking: list[ThinkingPart]
    signature: str | None = None
    closed: bool = True


ResourceContent = Annotated[TextChunk | ImageURLChunk, Field(discriminator="type")]


class ResourceChunk(ClosedModel):
    """SDK 3.7.0 only (not in the spec): an embedded resource, text or image."""

    type: Literal["resource"] = "resource"
    uri: str
    content: ResourceContent


class ResourceLinkChunk(ClosedModel):
    """SDK 3.7.0 only (not in the spec): a link to a resource with scalar metadata."""

    type: Literal["resource_link"] = "resource_link"
    uri: str
    metadata: dict[str, str | int | float | bool] | None = None


ContentChunk = Annotated[
    TextChunk
    | ImageURLChunk
    | DocumentURLChunk
    | ReferenceChunk
    | FileChunk
    | ThinkChunk
    | AudioChunk
    | ResourceChunk
    | ResourceLinkChunk,
    Field(discriminator="type"),
]

SystemContentChunk = Annotated[TextChunk | ThinkChunk, Field(discriminator="type")]

# `content` of user, assistant and tool messages: string, null or a list of chunks.
MessageContent = Annotated[
    Annotated[str, Tag(STRING)]
    | Annotated[None, Tag(NULL)]
    | Annotated[list[ContentChunk], Tag(ARRAY)],
    by_kind(STRING, NULL, ARRAY),
]

SystemContent = Annotated[
    Annotated[str, Tag(STRING)] | Annotated[list[SystemContentChunk], Tag(ARRAY)],
    by_kind(STRING, ARRAY),
]
