"""Tools, tool choice, response format, prediction and guardrails of a chat request."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Tag

from .base import OBJECT, STRING, ClosedModel, OpenModel, by_kind


class Function(ClosedModel):
    name: str
    description: str = ""
    strict: bool = False
    parameters: dict[str, Any]


class FunctionTool(ClosedModel):
    """Spec `Tool`: a function the model may call."""

    type: Literal["function"] = "function"
    function: Function


class ToolConfiguration(ClosedModel):
    exclude: list[str] | None = None
    include: list[str] | None = None
    requires_confirmation: list[str] | None = None


class WebSearchTool(ClosedModel):
    type: Literal["web_search"] = "web_search"
    tool_configuration: ToolConfiguration | None = None


class WebSearchPremiumTool(ClosedModel):
    type: Literal["web_search_premium"] = "web_search_premium"
    tool_configuration: ToolConfiguration | None = None


class CodeInterpreterTool(ClosedModel):
    type: Literal["code_interpreter"] = "code_interpreter"
    tool_configuration: ToolConfiguration | None = None


class ImageGenerationTool(ClosedModel):
    type: Literal["image_generation"] = "image_generation"
    tool_configuration: ToolConfiguration | None = None


class DocumentLibraryTool(ClosedModel):
    type: Literal["document_library"] = "document_library"
    tool_configuration: ToolConfiguration | None = None
    library_ids: Annotated[list[str], Field(min_length=1)]


class OAuth2TokenAuth(ClosedModel):
    type: Literal["oauth2-token"] = "oauth2-token"
    value: str


class APIKeyAuth(ClosedModel):
    type: Literal["api-key"] = "api-key"
    value: str


class CustomConnector(ClosedModel):
    type: Literal["connector"] = "connector"
    connector_id: str
    authorization: Annotated[OAuth2TokenAuth | APIKeyAuth, Field(discriminator="type")] | None = (
        None
    )
    tool_configuration: ToolConfiguration | None = None


ChatTool = Annotated[
    FunctionTool
    | WebSearchTool
    | WebSearchPremiumTool
    | CodeInterpreterTool
    | ImageGenerationTool
    | DocumentLibraryTool
    | CustomConnector,
    Field(discriminator="type"),
]


class FunctionName(ClosedModel):
    name: str


class ToolChoice(ClosedModel):
    type: Literal["function"] = "function"
    function: FunctionName


ToolChoiceEnum = Literal["auto", "none", "any", "required"]

ChatToolChoice = Annotated[
    Annotated[ToolChoice, Tag(OBJECT)] | Annotated[ToolChoiceEnum, Tag(STRING)],
    by_kind(OBJECT, STRING),
]


class JsonSchema(ClosedModel):
    name: str
    description: str | None = None
    # Wire name `schema`; the Python name avoids shadowing BaseModel.schema.
    schema_definition: dict[str, Any] = Field(alias="schema")
    strict: bool = False


class ResponseFormat(ClosedModel):
    type: Literal["text", "json_object", "json_schema"] = "text"
    json_schema: JsonSchema | None = None


class Prediction(ClosedModel):
    type: Literal["content"] = "content"
    content: str = ""


ModerationAction = Literal["none", "block"]


class ModerationLLMV1CategoryThresholds(OpenModel):
    sexual: float | None = None
    hate_and_discrimination: float | None = None
    violence_and_threats: float | None = None
    dangerous_and_criminal_content: float | None = None
    selfharm: float | None = None
    health: float | None = None
    financial: float | None = None
    law: float | None = None
    pii: float | None = None


class ModerationLLMV2CategoryThresholds(OpenModel):
    sexual: float | None = None
    hate_and_discrimination: float | None = None
    violence_and_threats: float | None = None
    dangerous: float | None = None
    criminal: float | None = None
    selfharm: float | None = None
    health: float | None = None
    financial: float | None = None
    law: float | None = None
    pii: float | None = None
    jailbreaking: float | None = None


class ModerationLLMV1Config(OpenModel):
    model_name: str = "mistral-moderation-2411"
    custom_category_thresholds: ModerationLLMV1CategoryThresholds | None = None
    ignore_other_categories: bool = False
    action: ModerationAction = "none"


class ModerationLLMV2Config(OpenModel):
    model_name: str = "mistral-moderation-2603"
    custom_category_thresholds: ModerationLLMV2CategoryThresholds | None = None
    ignore_other_categories: bool = False
    action: ModerationAction = "none"


class GuardrailConfig(OpenModel):
    block_on_error: bool = False
    moderation_llm_v1: ModerationLLMV1Config | None = None
    moderation_llm_v2: ModerationLLMV2Config | None = None
