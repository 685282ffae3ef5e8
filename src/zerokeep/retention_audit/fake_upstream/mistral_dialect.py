"""Mistral-shaped answers of the fake upstream, echoing their input for retention tests.

Shapes follow the required fields of the official spec and the `mistralai` SDK models.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any
from urllib.parse import unquote_to_bytes

FAKE_AUDIO_PREFIX = b"FAKEAUDIO:"


def new_id() -> str:
    return uuid.uuid4().hex


def text_of(content: Any) -> str:
    """The text of a message content: a string, or the text chunks of a chunk list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            chunk.get("text", "")
            for chunk in content
            if isinstance(chunk, dict) and chunk.get("type") == "text"
        )
    return ""


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def usage(prompt: str, completion: str) -> dict[str, int]:
    prompt_tokens = max(1, len(prompt.split()))
    completion_tokens = len(completion.split())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_answer(body: dict[str, Any]) -> tuple[str, str]:
    """(prompt, answer) for a chat or FIM request."""
    messages = body.get("messages")
    prompt = last_user_text(messages) if messages is not None else str(body.get("prompt", ""))
    return prompt, "echo: " + prompt


def completion(body: dict[str, Any]) -> dict[str, Any]:
    prompt, answer = chat_answer(body)
    return {
        "id": new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer, "tool_calls": None},
                "finish_reason": "stop",
            }
        ],
        "usage": usage(prompt, answer),
    }


def split_deltas(answer: str) -> list[str]:
    """Split an answer into at least three pieces (word boundaries kept with their space)."""
    words = answer.split(" ")
    pieces = [word + " " for word in words[:-1]] + [words[-1]]
    while len(pieces) < 3:
        pieces.append("")
    return pieces


def completion_chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt, answer = chat_answer(body)
    chunk_id, created, model = new_id(), int(time.time()), body.get("model", "")

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in split_deltas(answer)]
    chunks[-1]["choices"][0]["finish_reason"] = "stop"
    chunks[-1]["usage"] = usage(prompt, answer)
    return chunks


def fake_embedding(text: str, dimensions: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    while len(digest) < dimensions:
        digest += hashlib.sha256(digest).digest()
    return [round(byte / 255.0, 6) for byte in digest[:dimensions]]


def inputs_of(body: dict[str, Any]) -> list[Any]:
    value = body.get("input", body.get("inputs", []))
    return value if isinstance(value, list) else [value]


def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    texts = [str(text) for text in inputs_of(body)]
    dimensions = int(body.get("output_dimension") or body.get("dimensions") or 8)
    tokens = sum(max(1, len(text.split())) for text in texts)
    return {
        "id": new_id(),
        "object": "list",
        "model": body.get("model", ""),
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        "data": [
            {"object": "embedding", "embedding": fake_embedding(text, dimensions), "index": i}
            for i, text in enumerate(texts)
        ],
    }


MODERATION_CATEGORIES = (
    "sexual",
    "hate_and_discrimination",
    "violence_and_threats",
    "dangerous_and_criminal_content",
    "selfharm",
    "health",
    "financial",
    "law",
    "pii",
)


def moderation_result(text: str) -> dict[str, Any]:
    # "violence" in the input flags violence_and_threats, so mapping tests have a positive case.
    flagged = "violence" in text.lower()
    scores = {name: 0.01 for name in MODERATION_CATEGORIES}
    if flagged:
        scores["violence_and_threats"] = 0.97
    return {
        "categories": {name: score > 0.5 for name, score in scores.items()},
        "category_scores": scores,
    }


def conversations_of(body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Chat moderation/classification input: one conversation or a batch of them."""
    value = body.get("input", [])
    if isinstance(value, dict):  # InstructRequest {messages}
        value = [value]
    if value and isinstance(value[0], dict) and "messages" in value[0]:
        return [item["messages"] for item in value]
    if value and isinstance(value[0], list):
        return list(value)
    return [value]


def conversation_text(messages: list[dict[str, Any]]) -> str:
    return " ".join(text_of(message.get("content")) for message in messages)


def moderations(body: dict[str, Any], *, is_chat: bool) -> dict[str, Any]:
    if is_chat:
        texts = [conversation_text(messages) for messages in conversations_of(body)]
    else:
        texts = [str(text) for text in inputs_of(body)]
    return {
        "id": new_id(),
        "model": body.get("model", ""),
        "results": [moderation_result(text) for text in texts],
    }


def classifications(body: dict[str, Any], *, is_chat: bool) -> dict[str, Any]:
    if is_chat:
        texts = [conversation_text(messages) for messages in conversations_of(body)]
    else:
        texts = [str(text) for text in inputs_of(body)]
    results = []
    for text in texts:
        positive = round(fake_embedding(text, 1)[0], 4)
        results.append(
            {"sentiment": {"scores": {"positive": positive, "negative": round(1 - positive, 4)}}}
        )
    return {"id": new_id(), "model": body.get("model", ""), "results": results}


def decode_data_url(url: str) -> str | None:
    """The text of a `data:` URL (base64 or percent-encoded), or None for another URL."""
    if not url.startswith("data:") or "," not in url:
        return None
    header, payload = url[5:].split(",", 1)
    raw = base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)
    return raw.decode("utf-8", errors="replace")


def ocr(body: dict[str, Any]) -> dict[str, Any]:
    document = body.get("document") or {}
    url = document.get("document_url") or document.get("image_url") or ""
    if isinstance(url, dict):
        url = url.get("url", "")
    text = decode_data_url(url) if isinstance(url, str) else None
    markdown = text if text is not None else "# Fake page\n\nNo text."
    return {
        "pages": [
            {
                "index": 0,
                "markdown": markdown,
                "images": [],
                "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
            }
        ],
        "model": body.get("model") or "mistral-ocr-latest",
        "document_annotation": None,
        "usage_info": {"pages_processed": 1, "doc_size_bytes": len(url)},
    }


def speech_audio(body: dict[str, Any]) -> bytes:
    return FAKE_AUDIO_PREFIX + str(body.get("input", "")).encode()


def speech(body: dict[str, Any]) -> dict[str, Any]:
    return {"audio_data": base64.b64encode(speech_audio(body)).decode()}


def speech_events(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    audio = speech_audio(body)
    half = len(audio) // 2
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "speech.audio.delta",
            {"type": "speech.audio.delta", "audio_data": base64.b64encode(part).decode()},
        )
        for part in (audio[:half], audio[half:])
    ]
    done = {"type": "speech.audio.done", "usage": usage(str(body.get("input", "")), "")}
    events.append(("speech.audio.done", done))
    return events


def transcript_of(audio: bytes) -> str:
    """Test "audio" is UTF-8 text, so the transcript echoes it."""
    return "transcript: " + audio.decode("utf-8", errors="replace")


def transcription(model: str, audio: bytes, language: str | None) -> dict[str, Any]:
    text = transcript_of(audio)
    return {
        "model": model,
        "text": text,
        "language": language or "en",
        "segments": [{"type": "transcription_segment", "text": text, "start": 0.0, "end": 1.5}],
        "usage": {
            "prompt_audio_seconds": 2,
            "prompt_tokens": 4,
            "completion_tokens": len(text.split()),
            "total_tokens": 4 + len(text.split()),
        },
    }


def transcription_events(
    model: str, audio: bytes, language: str | None
) -> list[tuple[str, dict[str, Any]]]:
    done = transcription(model, audio, language)
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "transcription.language",
            {"type": "transcription.language", "audio_language": done["language"]},
        )
    ]
    for piece in split_deltas(done["text"]):
        delta = {"type": "transcription.text.delta", "text": piece}
        events.append(("transcription.text.delta", delta))
    events.append(("transcription.done", {**done, "type": "transcription.done"}))
    return events
