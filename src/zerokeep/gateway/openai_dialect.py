"""Fields the `openai` SDK sends that the Mistral API names differently: renamed before validation.

The Mistral API is strict and answers 422 to `seed` or `max_completion_tokens`; zerokeep also
serves the `openai` SDK on the same paths, so those fields are accepted and mapped to their
Mistral names. A body without any of them (the common case) costs one set check.

    wants_usage = to_mistral_names(Route.CHAT_COMPLETIONS, body)   # mutates body in place
"""

from __future__ import annotations

from typing import Any

from zerokeep.errors import ValidationFailed
from zerokeep.retention.catalogue import Route

# OpenAI name -> Mistral name, per route. `None`: accepted and not forwarded.
_CHAT_RENAMES: dict[str, str | None] = {
    "seed": "random_seed",
    "max_completion_tokens": "max_tokens",
    "user": None,  # an end-user id for OpenAI's abuse monitoring; no Mistral equivalent
    "stream_options": None,  # handled by the gateway (include_usage)
}
_RENAMES: dict[Route, dict[str, str | None]] = {
    Route.CHAT_COMPLETIONS: _CHAT_RENAMES,
    Route.FIM_COMPLETIONS: _CHAT_RENAMES,
    Route.EMBEDDINGS: {"dimensions": "output_dimension", "user": None},
}
_KEYS: dict[Route, frozenset[str]] = {route: frozenset(names) for route, names in _RENAMES.items()}


def to_mistral_names(route: Route, body: dict[str, Any]) -> bool:
    """Rename OpenAI-dialect fields of `body` in place; True if the client asked for usage in
    its stream (`stream_options.include_usage`). A field sent under both names keeps the
    Mistral one."""
    keys = _KEYS.get(route)
    if keys is None or keys.isdisjoint(body):
        return False
    wants_usage = _include_usage(body.get("stream_options"))
    for name, mistral_name in _RENAMES[route].items():
        if name not in body:
            continue
        value = body.pop(name)
        if mistral_name is not None and mistral_name not in body and value is not None:
            body[mistral_name] = value
    return wants_usage


def _include_usage(options: Any) -> bool:
    if options is None:
        return False
    if not isinstance(options, dict) or not isinstance(options.get("include_usage", False), bool):
        raise ValidationFailed(
            [
                {
                    "type": "model_type",
                    "loc": ["body", "stream_options"],
                    "msg": 'Input should be an object like {"include_usage": true}',
                }
            ]
        )
    return bool(options.get("include_usage"))
