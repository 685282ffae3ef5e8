"""Request bodies of the moderation and classification routes (text and chat)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from .base import ARRAY, OBJECT, ClosedModel, by_kind
from .embeddings import TextInput
from .messages import InstructRequest, Message


class ClassificationRequest(ClosedModel):
    """Spec `ClassificationRequest`: the body of `/v1/moderations` and `/v1/classifications`."""

    model: str
    input: TextInput
    metadata: dict[str, Any] | None = None


def _conversation_or_batch(value: Any) -> str | None:
    # `[message, ...]` is one conversation, `[[message, ...], ...]` a batch; an empty list is
    # an empty conversation. Looking at the first item is enough: the branch validates the rest.
    if not isinstance(value, list):
        return None
    if value and isinstance(value[0], list):
        return "batch"
    return "conversation"


ChatModerationInput = Annotated[
    Annotated[list[Message], Tag("conversation")] | Annotated[list[list[Message]], Tag("batch")],
    Discriminator(
        _conversation_or_batch,
        custom_error_type="union_type_mismatch",
        custom_error_message="Input should be an array of messages or an array of such arrays",
    ),
]


class ChatModerationRequest(ClosedModel):
    """Spec `ChatModerationRequest` (`/v1/chat/moderations`)."""

    model: str
    input: ChatModerationInput


ChatClassificationInput = Annotated[
    Annotated[InstructRequest, Tag(OBJECT)] | Annotated[list[InstructRequest], Tag(ARRAY)],
    by_kind(OBJECT, ARRAY),
]


class ChatClassificationRequest(ClosedModel):
    """Spec `ChatClassificationRequest` (`/v1/chat/classifications`)."""

    model: str
    input: ChatClassificationInput
