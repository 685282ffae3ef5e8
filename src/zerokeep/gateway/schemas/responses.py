"""Response bodies of the stateless routes, as the spec and SDK 3.7.0 require them.

Tests validate gateway output against these. Objects the spec closes stay closed; the rest keep
unknown keys (an upstream may add fields, and the SDK ignores them). Required fields follow the
spec, except where the spec contradicts the SDK (see `ChatCompletionResponse`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .base import ClosedModel, OpenModel
from .messages import AssistantMessage, ToolCall

NonNegativeInt = Annotated[int, Field(ge=0)]


class UsageInfo(OpenModel):
    """Spec `UsageInfo` is closed, but SDK 3.7.0 accepts extra keys and upstreams send some."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_audio_seconds: int | None = None
    service_tier: str | None = None


class ChatCompletionChoice(OpenModel):
    index: int
    message: AssistantMessage | None = None
    finish_reason: Literal["stop", "length", "model_length", "error", "tool_calls"]
    logprobs: dict[str, Any] | None = None  # SDK 3.7.0 only


class ChatCompletionResponse(OpenModel):
    """Spec `ChatCompletionResponse`, also the FIM response.

    The spec's `required` also lists `data`, which no completion has; SDK 3.7.0 requires only
    the fields below, so these are what a gateway must send.
    """

    id: str
    object: str
    model: str
    usage: UsageInfo
    created: int
    choices: list[ChatCompletionChoice]


FIMCompletionResponse = ChatCompletionResponse


class DeltaMessage(OpenModel):
    role: str | None = None
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    index: NonNegativeInt | None = None
    metadata: dict[str, Any] | None = None


class CompletionResponseStreamChoice(OpenModel):
    index: int
    delta: DeltaMessage
    finish_reason: Literal["stop", "length", "error", "tool_calls"] | None


class CompletionChunk(OpenModel):
    """One `data:` event of a chat or FIM stream (the stream ends with `data: [DONE]`)."""

    id: str
    model: str
    choices: list[CompletionResponseStreamChoice]
    object: str | None = None
    created: int | None = None
    usage: UsageInfo | None = None


class EmbeddingResponseData(OpenModel):
    object: str | None = None
    embedding: list[float] | str | None = None  # str when encoding_format is base64
    index: int | None = None


class EmbeddingResponse(OpenModel):
    id: str
    object: str
    model: str
    usage: UsageInfo
    data: list[EmbeddingResponseData]


class ModerationObject(OpenModel):
    categories: dict[str, bool] | None = None
    category_scores: dict[str, float] | None = None


class ModerationResponse(OpenModel):
    """The body of `/v1/moderations` and `/v1/chat/moderations`."""

    id: str
    model: str
    results: list[ModerationObject]


class ClassificationTargetResult(OpenModel):
    scores: dict[str, float]


class ClassificationResponse(OpenModel):
    """The body of `/v1/classifications` and `/v1/chat/classifications`."""

    id: str
    model: str
    results: list[dict[str, ClassificationTargetResult]]


class OCRImageObject(OpenModel):
    id: str
    top_left_x: NonNegativeInt | None
    top_left_y: NonNegativeInt | None
    bottom_right_x: NonNegativeInt | None
    bottom_right_y: NonNegativeInt | None
    image_base64: str | None = None
    image_annotation: str | None = None


class OCRTableObject(OpenModel):
    id: str
    content: str
    format: Literal["markdown", "html"]
    word_confidence_scores: list[dict[str, Any]] | None = None


class OCRPageDimensions(OpenModel):
    dpi: NonNegativeInt
    height: NonNegativeInt
    width: NonNegativeInt


class OCRPageObject(OpenModel):
    index: NonNegativeInt
    markdown: str
    images: list[OCRImageObject]
    dimensions: OCRPageDimensions | None
    tables: list[OCRTableObject] | None = None
    hyperlinks: list[str] | None = None
    header: str | None = None
    footer: str | None = None
    confidence_scores: dict[str, Any] | None = None
    # Thirteen block kinds discriminated on `type`; tests check only that blocks are objects.
    blocks: list[dict[str, Any]] | None = None


class OCRUsageInfo(OpenModel):
    pages_processed: int
    doc_size_bytes: int | None = None


class OCRResponse(OpenModel):
    pages: list[OCRPageObject]
    model: str
    document_annotation: str | None = None
    usage_info: OCRUsageInfo


class SpeechResponse(ClosedModel):
    """`/v1/audio/speech` with `stream: false`: base64 audio (spec: closed)."""

    audio_data: str


class SpeechAudioDelta(ClosedModel):
    """Data of an `event: speech.audio.delta` stream event."""

    type: Literal["speech.audio.delta"] = "speech.audio.delta"
    audio_data: str


class SpeechDone(ClosedModel):
    """Data of the final `event: speech.audio.done` stream event."""

    type: Literal["speech.audio.done"] = "speech.audio.done"
    usage: UsageInfo


class TranscriptionSegmentChunk(ClosedModel):
    type: Literal["transcription_segment"] = "transcription_segment"
    text: str
    start: float
    end: float
    score: float | None = None
    speaker_id: str | None = None


class TranscriptionResponse(ClosedModel):
    """`/v1/audio/transcriptions` without streaming (spec: closed)."""

    model: str
    text: str
    language: Annotated[str, Field(pattern=r"^\w{2}$")] | None
    segments: list[TranscriptionSegmentChunk] | None = None
    usage: UsageInfo
