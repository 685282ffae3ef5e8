"""Request bodies of `/v1/chat/completions` and `/v1/fim/completions` (both stream)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Tag

from .base import ARRAY, STRING, ClosedModel, by_kind
from .messages import Message
from .tools import ChatTool, ChatToolChoice, GuardrailConfig, Prediction, ResponseFormat

Temperature = Annotated[float, Field(ge=0, le=1.5)]
TopP = Annotated[float, Field(gt=0, le=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Penalty = Annotated[float, Field(ge=-2, le=2)]

Stop = Annotated[
    Annotated[str, Tag(STRING)] | Annotated[list[str], Tag(ARRAY)], by_kind(STRING, ARRAY)
]

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]


class ChatCompletionRequest(ClosedModel):
    """Spec `ChatCompletionRequest` plus the sampling fields SDK 3.7.0 sends.

    >>> ChatCompletionRequest.model_validate(
    ...     {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}]}
    ... ).stream
    False
    """

    model: str
    messages: list[Message]
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: NonNegativeInt | None = None
    stream: bool = False
    stop: Stop | None = None
    random_seed: NonNegativeInt | None = None
    metadata: dict[str, Any] | None = None
    response_format: ResponseFormat | None = None
    tools: list[ChatTool] | None = None
    tool_choice: ChatToolChoice = "auto"
    presence_penalty: Penalty | None = None
    frequency_penalty: Penalty | None = None
    n: Annotated[int, Field(ge=1)] | None = None
    prediction: Prediction | None = None
    parallel_tool_calls: bool = True
    reasoning_effort: ReasoningEffort | None = None
    prompt_mode: Literal["reasoning"] | None = None
    guardrails: list[GuardrailConfig] | None = None
    prompt_cache_key: str | None = None
    service_tier: Literal["auto", "standard_only"] | None = None
    safe_prompt: bool = False
    # SDK 3.7.0 was generated from a newer spec: these are not in the published spec yet.
    min_tokens: NonNegativeInt | None = None
    repetition_penalty: float | None = None
    top_k: int | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    prompt_logprobs: bool | None = None
    top_prompt_logprobs: int | None = None


class FIMCompletionRequest(ClosedModel):
    """Spec `FIMCompletionRequest`: complete the code between `prompt` and `suffix`."""

    # The spec gives `model` a default ("codestral-2404") and also lists it as required;
    # required wins, as in SDK 3.7.0.
    model: str
    prompt: str
    suffix: str | None = ""
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: NonNegativeInt | None = None
    min_tokens: NonNegativeInt | None = None
    stream: bool = False
    stop: Stop | None = None
    random_seed: NonNegativeInt | None = None
    metadata: dict[str, Any] | None = None
    prompt_cache_key: str | None = None
