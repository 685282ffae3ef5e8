"""Render a request `ValidationError` without echoing anything the client sent.

Pydantic's own rendering leaks input in three places: the `input` value, the `loc` of an extra
or dict key (a name the client chose), and the message of an invalid discriminator tag ("Input
tag 'x' found using 'role' ..."). `validation_details` keeps `type`, a `loc` made only of schema
words and indices, and a message built from the schema alone.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Tag, ValidationError

from .audio import SpeechRequest, TranscriptionForm
from .base import KIND_TAGS
from .chat import ChatCompletionRequest, FIMCompletionRequest
from .classification import ChatClassificationRequest, ChatModerationRequest, ClassificationRequest
from .content import UUID_PATTERN
from .embeddings import EmbeddingRequest
from .ocr import OCRRequest

EXTRA_FIELD = "<extra field>"
# Request fields of the OpenAI API that clients send to a Mistral-compatible endpoint by
# mistake: named in a 422 when refused (the gateway accepts and renames some others, see
# gateway/openai_dialect.py).
OPENAI_FIELD_NAMES = frozenset(
    {
        "store",
        "logit_bias",
        "modalities",
        "audio",
        "functions",
        "function_call",
        "web_search_options",
        "verbosity",
        "safety_identifier",
        "reasoning",
        "instructions",
        "background",
        "include",
        "previous_response_id",
        "max_output_tokens",
        "best_of",
        "echo",
        "logprobs",
        "suffix",
        "user",
        "seed",
        "dimensions",
        "stream_options",
        "max_completion_tokens",
    }
)

_ROOTS: tuple[type[BaseModel], ...] = (
    ChatCompletionRequest,
    FIMCompletionRequest,
    EmbeddingRequest,
    ClassificationRequest,
    ChatModerationRequest,
    ChatClassificationRequest,
    OCRRequest,
    SpeechRequest,
    TranscriptionForm,
)

# Messages whose pydantic text may quote part of the input: replaced by a fixed text.
_FIXED_MESSAGES = {
    "json_invalid": "Invalid JSON",
    "uuid_parsing": "Input should be a valid UUID",
    "url_parsing": "Input should be a valid URL",
}


def validation_details(err: ValidationError) -> list[dict[str, Any]]:
    """Return `[{"type", "loc", "msg"}]` for `err`, safe to send back and to log.

    Any `loc` element that is not a schema word (a field name, an alias, a union tag) is
    replaced by "<extra field>". The key of an `extra_forbidden` error is named when it is a
    known API word (a field of these schemas, or of the OpenAI API a client may have meant):
    a client sees which field the API refuses, and a key made of client text (a prompt sent
    as a key) is never echoed; it stays "<extra field>".

    >>> from pydantic import ValidationError
    >>> try:
    ...     ChatCompletionRequest.model_validate({"model": "m", "messages": [], "store": True})
    ... except ValidationError as err:
    ...     validation_details(err)
    [{'type': 'extra_forbidden', 'loc': ['store'], 'msg': 'Extra inputs are not permitted'}]
    """
    errors = err.errors(include_url=False, include_input=False, include_context=True)
    return safe_details(errors, known_names(), name_extra_keys=True)


def safe_details(
    errors: Iterable[Any], known: frozenset[str], *, name_extra_keys: bool = False
) -> list[dict[str, Any]]:
    """The same rendering for any list of pydantic error dicts, given the schema words that may
    appear in a `loc` (used by the control-plane routes too, with their own schema words)."""
    details = []
    for error in errors:
        error_type = error["type"]
        loc = [_safe_part(part, known) for part in error["loc"]]
        if error_type == "extra_forbidden" and loc:
            key = error["loc"][-1]
            is_nameable = name_extra_keys and (key in known or key in OPENAI_FIELD_NAMES)
            loc[-1] = key if is_nameable else EXTRA_FIELD
        details.append({"type": error_type, "loc": loc, "msg": _safe_message(error)})
    return details


def _safe_part(part: int | str, known: frozenset[str]) -> int | str:
    if isinstance(part, int):
        return part
    return part if part in known else EXTRA_FIELD


def _safe_message(error: Any) -> str:
    error_type: str = error["type"]
    if error_type in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[error_type]
    ctx = error.get("ctx") or {}
    if error_type == "string_pattern_mismatch" and ctx.get("pattern") == UUID_PATTERN:
        return "Input should be a valid UUID"
    if error_type == "union_tag_invalid":
        # pydantic's text quotes the tag the client sent; rebuild it from the schema side.
        expected = ctx.get("expected_tags")
        if expected is None:
            return "Input tag does not match any of the expected tags"
        discriminator = ctx.get("discriminator", "the discriminator")
        return (
            f"Input tag found using {discriminator} does not match any of the expected tags:"
            f" {expected}"
        )
    return str(error["msg"])


@functools.cache
def known_names() -> frozenset[str]:
    """Every word a request schema can put in an error `loc`: field names, aliases, tags."""
    names: set[str] = set(KIND_TAGS)
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = list(_ROOTS)
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            if field.alias:
                names.add(field.alias)
            pending.extend(_collect(field.annotation, names))
            pending.extend(_collect_metadata(field.metadata, names))
    return frozenset(names)


def _collect(annotation: Any, names: set[str]) -> list[type[BaseModel]]:
    """Add Literal values and Tag names found in `annotation`; return the models it holds."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        names.update(arg for arg in args if isinstance(arg, str))
        return []
    if origin is typing.Annotated:
        return _collect(args[0], names) + _collect_metadata(args[1:], names)
    if origin is not None or isinstance(annotation, types.UnionType):
        models: list[type[BaseModel]] = []
        for arg in args:
            models.extend(_collect(arg, names))
        return models
    return []


def _collect_metadata(metadata: Iterable[Any], names: set[str]) -> list[type[BaseModel]]:
    for item in metadata:
        if isinstance(item, Tag):
            names.add(item.tag)
    return []
