"""OpenAI-shaped answers of the fake upstream (served under /openai/v1/...), echoing their input."""

from __future__ import annotations

import time
from typing import Any

from .mistral_dialect import (
    chat_answer,
    fake_embedding,
    inputs_of,
    new_id,
    split_deltas,
    transcript_of,
    usage,
)

OPENAI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


def wants_tool_call(body: dict[str, Any]) -> bool:
    return bool(body.get("tools")) and body.get("tool_choice") == "required"


def _tool_name(body: dict[str, Any]) -> str:
    return str(body["tools"][0]["function"]["name"])


def chat(body: dict[str, Any]) -> dict[str, Any]:
    prompt, answer = chat_answer(body)
    message: dict[str, Any] = {"role": "assistant", "content": answer, "refusal": None}
    finish = "stop"
    if wants_tool_call(body):
        arguments = '{"text": "' + prompt + '"}'
        message = {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": _tool_name(body), "arguments": arguments},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-" + new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            **usage(prompt, answer),
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


def chat_chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt, answer = chat_answer(body)
    chunk_id, created, model = "chatcmpl-" + new_id(), int(time.time()), body.get("model", "")

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            "usage": None,
        }

    chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
    if wants_tool_call(body):
        first = {"index": 0, "id": "call_1", "type": "function"}
        first["function"] = {"name": _tool_name(body), "arguments": ""}
        chunks.append(chunk({"tool_calls": [first]}))
        for piece in ('{"text": ', '"' + prompt + '"', "}"):
            chunks.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
        chunks.append(chunk({}, "tool_calls"))
    else:
        chunks += [chunk({"content": piece}) for piece in split_deltas(answer)]
        chunks.append(chunk({}, "stop"))
    if (body.get("stream_options") or {}).get("include_usage"):
        final = chunk({})
        final["choices"] = []
        final["usage"] = usage(prompt, answer)
        chunks.append(final)
    return chunks


def text_completion(body: dict[str, Any]) -> dict[str, Any]:
    prompt, answer = chat_answer(body)
    return {
        "id": "cmpl-" + new_id(),
        "object": "text_completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [{"text": answer, "index": 0, "logprobs": None, "finish_reason": "length"}],
        "usage": usage(prompt, answer),
    }


def text_completion_chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt, answer = chat_answer(body)
    chunk_id, created, model = "cmpl-" + new_id(), int(time.time()), body.get("model", "")
    chunks = [
        {
            "id": chunk_id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [{"text": piece, "index": 0, "logprobs": None, "finish_reason": None}],
        }
        for piece in split_deltas(answer)
    ]
    chunks[-1]["choices"][0]["finish_reason"] = "stop"
    if (body.get("stream_options") or {}).get("include_usage"):
        chunks.append(
            {
                "id": chunk_id,
                "object": "text_completion",
                "created": created,
                "model": model,
                "choices": [],
                "usage": usage(prompt, answer),
            }
        )
    return chunks


def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    texts = [str(text) for text in inputs_of(body)]
    dimensions = int(body.get("dimensions") or 8)
    tokens = sum(max(1, len(text.split())) for text in texts)
    return {
        "object": "list",
        "model": body.get("model", ""),
        "data": [
            {"object": "embedding", "embedding": fake_embedding(text, dimensions), "index": i}
            for i, text in enumerate(texts)
        ],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def moderations(body: dict[str, Any]) -> dict[str, Any]:
    results = []
    for text in (str(item) for item in inputs_of(body)):
        scores = {name: 0.001 for name in OPENAI_CATEGORIES}
        if "violence" in text.lower():
            scores["violence"] = 0.91
            scores["harassment/threatening"] = 0.62
        results.append(
            {
                "flagged": any(score > 0.5 for score in scores.values()),
                "categories": {name: score > 0.5 for name, score in scores.items()},
                "category_scores": scores,
                "category_applied_input_types": {name: ["text"] for name in OPENAI_CATEGORIES},
            }
        )
    return {"id": "modr-" + new_id(), "model": body.get("model", ""), "results": results}


def transcription_verbose(audio: bytes, language: str | None) -> dict[str, Any]:
    text = transcript_of(audio)
    return {
        "task": "transcribe",
        "language": language or "english",
        "duration": 1.5,
        "text": text,
        "segments": [
            {
                "id": 0,
                "seek": 0,
                "start": 0.0,
                "end": 1.5,
                "text": text,
                "tokens": [1, 2, 3],
                "temperature": 0.0,
                "avg_logprob": -0.2,
                "compression_ratio": 1.1,
                "no_speech_prob": 0.01,
            }
        ],
        "usage": {"type": "duration", "seconds": 2},
    }
