"""Chat messages, discriminated on `role`, and the tool calls an assistant message carries."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Tag

from .base import OBJECT, STRING, ClosedModel, by_kind
from .content import MessageContent, SystemContent


class FunctionCall(ClosedModel):
    name: str
    arguments: Annotated[
        Annotated[dict[str, Any], Tag(OBJECT)] | Annotated[str, Tag(STRING)],
        by_kind(OBJECT, STRING),
    ]


class ToolCall(ClosedModel):
    id: str = "null"  # sic: the spec's default is the string "null"
    type: Literal["function"] = "function"
    function: FunctionCall
    index: int = 0


class SystemMessage(ClosedModel):
    role: Literal["system"] = "system"
    content: SystemContent


class UserMessage(ClosedModel):
    role: Literal["user"] = "user"
    content: MessageContent


class AssistantMessage(ClosedModel):
    role: Literal["assistant"] = "assistant"
    content: MessageContent = None
    tool_calls: list[ToolCall] | None = None
    prefix: bool = False


class ToolMessage(ClosedModel):
    role: Literal["tool"] = "tool"
    content: MessageContent
    tool_call_id: str | None = None
    name: str | None = None


Message = Annotated[
    SystemMessage | UserMessage | AssistantMessage | ToolMessage, Field(discriminator="role")
]


class InstructRequest(ClosedModel):
    """One conversation to classify (`/v1/chat/classifications`)."""

    messages: list[Message]
