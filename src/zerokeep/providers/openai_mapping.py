"""Pure translation between Mistral request/response shapes and the OpenAI API's.

No I/O: `openai_compatible.py` sends what these functions build and maps back what it reads.
Requests are rebuilt from an allow-list; a field outside it that would change the answer is
refused before this runs (`openai_fields.refuse_unmappable`), never dropped silently.

    payload = chat_request(mistral_body, is_stream=False)
    mistral_answer = chat_response(openai_answer)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

# Mistral finish reasons: stop | length | model_length | error | tool_calls.
_FINISH_REASONS = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "stop",
    "error": "error",
}
_CHAT_FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "n",
    "presence_penalty",
    "frequency_penalty",
    "response_format",
    "parallel_tool_calls",
    "reasoning_effort",
    "logprobs",
    "top_logprobs",
    "prediction",  # the same {type: "content", content} shape in both APIs
    "prompt_cache_key",
    # Sampling extensions of vLLM and llama.cpp's server; a server without them says so.
    "min_tokens",
    "top_k",
    "repetition_penalty",
)
_FIM_FIELDS = ("temperature", "top_p", "max_tokens", "stop", "min_tokens")
# OpenAI moderation categories folded into Mistral's; Mistral's health, financial, law and pii
# have no OpenAI counterpart and are left out rather than reported as "not flagged".
_MODERATION_SOURCES = {
    "sexual": ("sexual", "sexual/minors"),
    "hate_and_discrimination": ("hate", "hate/threatening", "harassment"),
    "violence_and_threats": (
        "violence",
        "violence/graphic",
        "harassment/threatening",
        "hate/threatening",
    ),
    "dangerous_and_criminal_content": ("illicit", "illicit/violent"),
    "selfharm": ("self-harm", "self-harm/intent", "self-harm/instructions"),
}
_STREAM_OPTIONS = {"include_usage": True}


def new_id() -> str:
    return uuid.uuid4().hex


def finish_reason(value: Any) -> str | None:
    if value is None:
        return None
    return _FINISH_REASONS.get(value, "stop")


def usage(value: Any) -> dict[str, int]:
    data = value if isinstance(value, dict) else {}
    prompt = int(data.get("prompt_tokens") or data.get("input_tokens") or 0)
    completion = int(data.get("completion_tokens") or data.get("output_tokens") or 0)
    total = int(data.get("total_tokens") or prompt + completion)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def _copy_fields(source: dict[str, Any], target: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        value = source.get(name)
        if value is not None:
            target[name] = value


# -- chat -------------------------------------------------------------------------------------


def chat_request(body: dict[str, Any], *, is_stream: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"model": body["model"]}
    payload["messages"] = [_message(message) for message in body.get("messages") or ()]
    _copy_fields(body, payload, _CHAT_FIELDS)
    if body.get("random_seed") is not None:
        payload["seed"] = body["random_seed"]
    tools = [tool for tool in body.get("tools") or () if tool.get("type") == "function"]
    if tools:
        payload["tools"] = tools
        choice = body.get("tool_choice")
        if choice is not None:
            payload["tool_choice"] = "required" if choice == "any" else choice
    if is_stream:
        payload["stream"] = True
        payload["stream_options"] = _STREAM_OPTIONS
    return payload


def _message(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    role = message.get("role")
    if role == "user" and isinstance(content, str) and len(message) == 2:
        return message  # the common case needs no copy
    mapped: dict[str, Any] = {"role": role, "content": content}
    if isinstance(content, list):
        mapped["content"] = [_chunk(chunk) for chunk in content if chunk.get("type") != "thinking"]
    if role == "assistant":
        tool_calls = message.get("tool_calls")
        if tool_calls:
            mapped["tool_calls"] = [_tool_call_request(call) for call in tool_calls]
    elif role == "tool":
        mapped["tool_call_id"] = message.get("tool_call_id")
    return mapped


def _chunk(chunk: dict[str, Any]) -> dict[str, Any]:
    if chunk.get("type") == "image_url" and isinstance(chunk.get("image_url"), str):
        return {"type": "image_url", "image_url": {"url": chunk["image_url"]}}
    return chunk  # text and image_url objects match; others go as-is for the upstream to judge


def _tool_call_request(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = orjson.dumps(arguments if arguments is not None else {}).decode()
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {"name": function.get("name"), "arguments": arguments},
    }


def _tool_calls_response(calls: Any) -> list[dict[str, Any]] | None:
    if not calls:
        return None
    return [
        {
            "id": call.get("id"),
            "type": "function",
            "function": {
                "name": (call.get("function") or {}).get("name", ""),
                "arguments": (call.get("function") or {}).get("arguments", ""),
            },
            "index": index,
        }
        for index, call in enumerate(calls)
    ]


def chat_response(data: dict[str, Any]) -> dict[str, Any]:
    """The upstream's answer in Mistral shape; keys this mapping does not know are kept."""
    choices = []
    for choice in data.get("choices") or ():
        message = choice.get("message") or {}
        mapped_message = {
            **message,
            "role": "assistant",
            "content": message.get("content"),
            "tool_calls": _tool_calls_response(message.get("tool_calls")),
        }
        choices.append(
            {
                **choice,
                "index": choice.get("index", 0),
                "message": mapped_message,
                "finish_reason": finish_reason(choice.get("finish_reason")) or "stop",
            }
        )
    return {
        **data,
        **_completion_envelope(data, "chat.completion", choices),
        "usage": usage_with_details(data.get("usage")),
    }


def usage_with_details(value: Any) -> dict[str, Any]:
    """Mistral's usage counts plus the upstream's other usage keys (prompt_tokens_details...)."""
    extra = value if isinstance(value, dict) else {}
    return {**extra, **usage(value)}


def _completion_envelope(data: dict[str, Any], kind: str, choices: list[Any]) -> dict[str, Any]:
    return {
        "id": data.get("id") or new_id(),
        "object": kind,
        "created": data.get("created") or int(time.time()),
        "model": data.get("model") or "",
        "choices": choices,
    }


class ChatChunkMapper:
    """Maps OpenAI chat chunks to Mistral CompletionChunks, one stream at a time.

    Tool calls are relayed as they arrive, one delta per upstream fragment, with the call's
    `index`: the first fragment of a call carries its id and name, later ones only more
    arguments. Some servers (llama.cpp's) repeat the whole name in every fragment; a repeated
    name is sent once, never concatenated.
    """

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: dict[tuple[int, int], str] = {}

    def map(self, chunk: dict[str, Any]) -> dict[str, Any] | None:
        choices = []
        for choice in chunk.get("choices") or ():
            index = choice.get("index", 0)
            delta = choice.get("delta") or {}
            mapped: dict[str, Any] = {}
            if delta.get("role"):
                mapped["role"] = "assistant"
            if delta.get("content") is not None:
                mapped["content"] = delta["content"]
            if delta.get("tool_calls"):
                mapped["tool_calls"] = [
                    self._fragment(index, position, fragment)
                    for position, fragment in enumerate(delta["tool_calls"])
                ]
            reason = choice.get("finish_reason")
            if mapped or reason is not None:
                out: dict[str, Any] = {
                    "index": index,
                    "delta": mapped,
                    "finish_reason": finish_reason(reason),
                }
                if choice.get("logprobs") is not None:
                    out["logprobs"] = choice["logprobs"]
                choices.append(out)
        chunk_usage = chunk.get("usage")
        if not choices and not chunk_usage:
            return None
        mapped_chunk = _completion_envelope(chunk, "chat.completion.chunk", choices)
        if chunk_usage:
            mapped_chunk["usage"] = usage(chunk_usage)
        return mapped_chunk

    def _fragment(self, choice: int, position: int, fragment: dict[str, Any]) -> dict[str, Any]:
        call_index = fragment.get("index", position)
        function = fragment.get("function") or {}
        piece = function.get("name") or ""
        key = (choice, call_index)
        known = self._names.get(key)
        if known is None:
            self._names[key] = piece
            name = piece
        elif piece and piece != known:  # a name sent in pieces (not a repeat of the whole)
            self._names[key] = known + piece
            name = piece
        else:
            name = ""
        call: dict[str, Any] = {
            "type": "function",
            "function": {"name": name, "arguments": function.get("arguments") or ""},
            "index": call_index,
        }
        if known is None:
            call["id"] = fragment.get("id") or new_id()
        return call


# -- fill-in-the-middle -----------------------------------------------------------------------


def fim_request(body: dict[str, Any], *, is_stream: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"model": body["model"], "prompt": body.get("prompt", "")}
    if body.get("suffix"):
        payload["suffix"] = body["suffix"]
    _copy_fields(body, payload, _FIM_FIELDS)
    if body.get("random_seed") is not None:
        payload["seed"] = body["random_seed"]
    if is_stream:
        payload["stream"] = True
        payload["stream_options"] = _STREAM_OPTIONS
    return payload


def fim_response(data: dict[str, Any]) -> dict[str, Any]:
    choices = [
        {
            "index": choice.get("index", 0),
            "message": {"role": "assistant", "content": choice.get("text", ""), "tool_calls": None},
            "finish_reason": finish_reason(choice.get("finish_reason")) or "stop",
        }
        for choice in data.get("choices") or ()
    ]
    return _completion_envelope(data, "chat.completion", choices) | {
        "usage": usage(data.get("usage"))
    }


def fim_chunk(chunk: dict[str, Any], *, is_first: bool) -> dict[str, Any] | None:
    choices = []
    for choice in chunk.get("choices") or ():
        delta: dict[str, Any] = {"content": choice.get("text") or ""}
        if is_first:
            delta["role"] = "assistant"
        reason = finish_reason(choice.get("finish_reason"))
        choices.append({"index": choice.get("index", 0), "delta": delta, "finish_reason": reason})
    chunk_usage = chunk.get("usage")
    if not choices and not chunk_usage:
        return None
    mapped = _completion_envelope(chunk, "chat.completion.chunk", choices)
    if chunk_usage:
        mapped["usage"] = usage(chunk_usage)
    return mapped


# -- embeddings and moderation ----------------------------------------------------------------


def embeddings_request(body: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"model": body["model"], "input": body.get("input", "")}
    if body.get("output_dimension") is not None:
        payload["dimensions"] = body["output_dimension"]
    if body.get("encoding_format") is not None:
        payload["encoding_format"] = body["encoding_format"]
    return payload


class MalformedEmbeddings(ValueError):
    """An upstream's embeddings are not one flat list of numbers per input."""


def embeddings_response(data: dict[str, Any]) -> dict[str, Any]:
    """Raises MalformedEmbeddings for a shape the SDK cannot read (llama.cpp's server answers
    per-token nested lists for a model without pooling)."""
    items = data.get("data")
    if not isinstance(items, list):
        raise MalformedEmbeddings
    for item in items:
        vector = item.get("embedding") if isinstance(item, dict) else None
        if isinstance(vector, str):  # encoding_format: base64
            continue
        if not isinstance(vector, list) or not all(
            isinstance(number, float | int) and not isinstance(number, bool) for number in vector
        ):
            raise MalformedEmbeddings
    return {
        "id": data.get("id") or new_id(),
        "object": "list",
        "model": data.get("model") or "",
        "usage": usage(data.get("usage")),
        "data": items,
    }


def moderation_request(body: dict[str, Any]) -> dict[str, Any]:
    return {"model": body["model"], "input": body.get("input", "")}


def moderation_response(data: dict[str, Any]) -> dict[str, Any]:
    results = []
    for result in data.get("results") or ():
        flags = result.get("categories") or {}
        scores = result.get("category_scores") or {}
        results.append(
            {
                "categories": {
                    name: any(bool(flags.get(source)) for source in sources)
                    for name, sources in _MODERATION_SOURCES.items()
                },
                "category_scores": {
                    name: max(float(scores.get(source) or 0.0) for source in sources)
                    for name, sources in _MODERATION_SOURCES.items()
                },
            }
        )
    return {"id": data.get("id") or new_id(), "model": data.get("model") or "", "results": results}
