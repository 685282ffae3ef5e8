"""Which Mistral request fields an OpenAI-compatible server can honour: none is dropped silently.

`openai_mapping` rebuilds requests from an allow-list. A field outside it that would change the
answer (a safety switch, guardrails, a reasoning mode, a tool the server cannot run) is refused
here with a 400 naming the field and the provider, before any I/O. Fields that change nothing
about the answer (`metadata`, defaults such as `safe_prompt: false`) pass and are not sent.

    refuse_unmappable(Route.CHAT_COMPLETIONS, body, "vllm")   # raises FieldNotSupported
"""

from __future__ import annotations

from typing import Any

from zerokeep.providers.base import FieldNotSupported
from zerokeep.retention.catalogue import Route

# Fields with no OpenAI-dialect equivalent: refused unless absent, null or the default value.
_CHAT_UNMAPPABLE: dict[str, object] = {
    "safe_prompt": False,
    "prompt_mode": None,
    "guardrails": None,
    "prompt_logprobs": None,
    "top_prompt_logprobs": None,
}
_SERVICE_TIERS = (None, "auto")
_CHUNK_TYPES = frozenset({"text", "image_url", "thinking"})
_CHUNK_KEYS = {"text": "text", "image_url": "image_url", "thinking": "thinking"}


def refuse_unmappable(route: Route, body: dict[str, Any], provider: str) -> None:
    """Raise FieldNotSupported for the first field of `body` the upstream cannot honour."""
    if route is Route.CHAT_COMPLETIONS:
        _refuse_chat(body, provider)
    elif route is Route.EMBEDDINGS and body.get("output_dtype") not in (None, "float"):
        raise FieldNotSupported(provider, "output_dtype")


def _refuse_chat(body: dict[str, Any], provider: str) -> None:
    for name, default in _CHAT_UNMAPPABLE.items():
        value = body.get(name)
        if value is not None and value != default and value != []:
            raise FieldNotSupported(provider, name)
    if body.get("service_tier") not in _SERVICE_TIERS:
        raise FieldNotSupported(provider, "service_tier")
    for tool in body.get("tools") or ():
        if tool.get("type", "function") != "function":
            raise FieldNotSupported(provider, "tools")
    for message in body.get("messages") or ():
        if message.get("prefix") is True:
            raise FieldNotSupported(provider, "prefix")
        content = message.get("content")
        if isinstance(content, list):
            for chunk in content:
                if _chunk_type(chunk) not in _CHUNK_TYPES:
                    raise FieldNotSupported(provider, "content")


def _chunk_type(chunk: Any) -> str | None:
    if not isinstance(chunk, dict):
        return None
    declared = chunk.get("type")
    if isinstance(declared, str):
        return declared
    for key, kind in _CHUNK_KEYS.items():
        if key in chunk:
            return kind
    return None
