"""Base classes and union helpers shared by every request and response schema.

Closed objects (`additionalProperties: false` in the spec) derive from `ClosedModel`; open ones
from `OpenModel`, which keeps unknown keys so a forwarded body loses nothing.

Unions whose branches differ by JSON type (`str | list[str]`, `str | null | [chunk]`) are
*tagged* by a small function of the value's JSON kind. That costs one cheap Python call per
value, and buys two things: an error names one branch instead of listing every branch pydantic
tried, and the union labels that appear in an error `loc` are the fixed tags below ("string",
"array", ...), never a generated type name, so `errors.validation_details` can tell schema words
from client-controlled keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Discriminator

STRING = "string"
ARRAY = "array"
OBJECT = "object"
NULL = "null"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"

KIND_TAGS: frozenset[str] = frozenset({STRING, ARRAY, OBJECT, NULL, INTEGER, NUMBER, BOOLEAN})

_KIND_NAMES = {
    STRING: "a string",
    ARRAY: "an array",
    OBJECT: "an object",
    NULL: "null",
    INTEGER: "an integer",
    NUMBER: "a number",
    BOOLEAN: "a boolean",
}


class ClosedModel(BaseModel):
    """A spec object with `additionalProperties: false`: unknown keys are a 422."""

    model_config = ConfigDict(extra="forbid")


class OpenModel(BaseModel):
    """A spec object without `additionalProperties: false`: unknown keys are kept as they came."""

    model_config = ConfigDict(extra="allow")


def _json_kind(value: Any) -> str | None:
    # bool before int: JSON true/false must not pass as an integer branch.
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return ARRAY
    if isinstance(value, dict):
        return OBJECT
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, BaseModel):
        return OBJECT
    return None


def by_kind(*kinds: str) -> Discriminator:
    """Tag a union by the JSON kind of the value; `kinds` are the tags the union carries.

    >>> from typing import Annotated
    >>> from pydantic import Tag, TypeAdapter
    >>> Stop = Annotated[
    ...     Annotated[str, Tag("string")] | Annotated[list[str], Tag("array")],
    ...     by_kind("string", "array"),
    ... ]
    >>> TypeAdapter(Stop).validate_python(["\\n"])
    ['\\n']
    """
    allowed = frozenset(kinds)
    unknown = allowed - KIND_TAGS
    if unknown:
        raise ValueError(f"unknown kind tags: {sorted(unknown)}")

    def tag(value: Any) -> str | None:
        kind = _json_kind(value)
        if kind == INTEGER and kind not in allowed and NUMBER in allowed:
            return NUMBER
        return kind if kind in allowed else None

    names = [_KIND_NAMES[kind] for kind in kinds]
    expected = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return Discriminator(
        tag,
        custom_error_type="union_type_mismatch",
        custom_error_message=f"Input should be {expected}",
    )


def by_type_or_keys(fallback: Mapping[str, str], field: str = "type") -> Discriminator:
    """Tag an object union by its `type`, or, when `type` is absent, by a key only one branch has.

    For spec unions (`anyOf`, no discriminator) whose branches each give `type` a const default,
    so a body without `type` is still valid: `{"document_url": ...}` is a document_url chunk.
    """
    keys = tuple(fallback.items())
    tags = frozenset(fallback.values())

    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            declared = value.get(field)
            if declared is None:
                for key, key_tag in keys:
                    if key in value:
                        return key_tag
                return None
            return declared if isinstance(declared, str) and declared in tags else None
        declared = getattr(value, field, None)
        return declared if isinstance(declared, str) else None

    expected = ", ".join(f"'{t}'" for t in fallback.values())
    return Discriminator(
        tag,
        custom_error_type="union_variant_invalid",
        custom_error_message=f"Input should be an object whose '{field}' is one of {expected}",
    )
