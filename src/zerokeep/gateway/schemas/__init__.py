"""Pydantic models of the ten stateless routes: request validation and response shapes.

The gateway validates a JSON body with `REQUEST_MODELS[route].model_validate(body)` and, on
failure, answers 422 with `validation_details(err)`, which never echoes client input. Forward
a validated body with `model_dump(mode="json", by_alias=True, exclude_unset=True)`: it is the
body as sent, minus nothing (closed objects refuse unknown keys, open ones keep them).

>>> from zerokeep.retention.catalogue import Route
>>> body = {"model": "mistral-embed", "input": ["a", "b"]}
>>> REQUEST_MODELS[Route.EMBEDDINGS].model_validate(body).model_dump(exclude_unset=True) == body
True

`/v1/audio/transcriptions` is multipart, so it is not in `REQUEST_MODELS`: validate its non-file
form fields with `TranscriptionForm`.
"""

from __future__ import annotations

from pydantic import BaseModel

from zerokeep.retention.catalogue import Route

from .audio import SpeechRequest, TranscriptionForm
from .chat import ChatCompletionRequest, FIMCompletionRequest
from .classification import ChatClassificationRequest, ChatModerationRequest, ClassificationRequest
from .embeddings import EmbeddingRequest
from .errors import EXTRA_FIELD, validation_details
from .messages import AssistantMessage, Message, SystemMessage, ToolMessage, UserMessage
from .ocr import OCRRequest
from .responses import (
    ChatCompletionResponse,
    ClassificationResponse,
    CompletionChunk,
    EmbeddingResponse,
    FIMCompletionResponse,
    ModerationResponse,
    OCRResponse,
    SpeechAudioDelta,
    SpeechDone,
    SpeechResponse,
    TranscriptionResponse,
)

REQUEST_MODELS: dict[Route, type[BaseModel]] = {
    Route.CHAT_COMPLETIONS: ChatCompletionRequest,
    Route.FIM_COMPLETIONS: FIMCompletionRequest,
    Route.EMBEDDINGS: EmbeddingRequest,
    Route.MODERATIONS: ClassificationRequest,
    Route.CHAT_MODERATIONS: ChatModerationRequest,
    Route.CLASSIFICATIONS: ClassificationRequest,
    Route.CHAT_CLASSIFICATIONS: ChatClassificationRequest,
    Route.OCR: OCRRequest,
    Route.AUDIO_SPEECH: SpeechRequest,
}

__all__ = [
    "EXTRA_FIELD",
    "REQUEST_MODELS",
    "AssistantMessage",
    "ChatClassificationRequest",
    "ChatCompletionRequest",
    "ChatCompletionResponse",
    "ChatModerationRequest",
    "ClassificationRequest",
    "ClassificationResponse",
    "CompletionChunk",
    "EmbeddingRequest",
    "EmbeddingResponse",
    "FIMCompletionRequest",
    "FIMCompletionResponse",
    "Message",
    "ModerationResponse",
    "OCRRequest",
    "OCRResponse",
    "SpeechAudioDelta",
    "SpeechDone",
    "SpeechRequest",
    "SpeechResponse",
    "SystemMessage",
    "ToolMessage",
    "TranscriptionForm",
    "TranscriptionResponse",
    "UserMessage",
    "validation_details",
]
