"""Flattening Mistral messages and conversations into the plain text small local models take."""

from __future__ import annotations

from typing import Any

_ROLES = {"system", "user", "assistant"}


def content_text(content: Any) -> str:
    """Text of a message `content`: a string, or the text/thinking parts of a chunk list.

    Image, document, audio and reference chunks are dropped: the local chat model reads text only.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for chunk in content:
        if not isinstance(chunk, dict):
            continue
        if chunk.get("type") == "text":
            parts.append(str(chunk.get("text", "")))
        elif chunk.get("type") == "thinking":
            parts.append(content_text(chunk.get("thinking")))
    return "\n".join(part for part in parts if part)


def chat_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Mistral messages as {role, content} pairs the GGUF chat template accepts.

    Tool results become user turns, since SmolLM2's template knows only system/user/assistant.
    """
    converted = []
    for message in messages:
        role = message.get("role", "user")
        text = content_text(message.get("content"))
        if role == "tool":
            text = f"Tool result: {text}"
        converted.append({"role": role if role in _ROLES else "user", "content": text})
    return converted


def conversation_text(messages: list[dict[str, Any]]) -> str:
    """One conversation as a single text, for moderation and classification."""
    return "\n".join(content_text(message.get("content")) for message in messages).strip()


def conversations(value: Any) -> list[list[dict[str, Any]]]:
    """Normalise chat moderation/classification `input` to a list of conversations.

    Accepted shapes: `[message]`, `[[message]]`, `{"messages": [...]}` and `[{"messages": ...}]`.
    """
    if isinstance(value, dict):
        return [list(value.get("messages") or [])]
    items = list(value or [])
    if not items:
        return []
    if all(isinstance(item, dict) and "messages" in item for item in items):
        return [list(item["messages"] or []) for item in items]
    if all(isinstance(item, list) for item in items):
        return [list(item) for item in items]
    return [items]
