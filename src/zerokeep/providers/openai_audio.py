"""Pure translation of Mistral audio requests and answers to and from the OpenAI audio API.

payload = speech_request(mistral_body)      # -> POST /v1/audio/speech
answer = speech_response(raw_audio_bytes)   # -> {"audio_data": base64}
"""

from __future__ import annotations

import base64
import math
from typing import Any

from zerokeep.providers.openai_mapping import usage

# OpenAI requires a voice; Mistral's voice_id is optional.
DEFAULT_VOICE = "alloy"


def speech_request(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": body["model"],
        "input": body.get("input", ""),
        "voice": body.get("voice_id") or DEFAULT_VOICE,
        "response_format": body.get("response_format") or "mp3",
    }


def speech_response(audio: bytes) -> dict[str, Any]:
    return {"audio_data": base64.b64encode(audio).decode()}


def speech_events(audio: bytes) -> list[tuple[str, dict[str, Any]]]:
    """The whole audio as one delta, then done (OpenAI-compatible servers rarely stream it)."""
    delta = {"type": "speech.audio.delta", "audio_data": base64.b64encode(audio).decode()}
    done = {"type": "speech.audio.done", "usage": usage(None)}
    return [("speech.audio.delta", delta), ("speech.audio.done", done)]


def transcription_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    fields = [("model", str(body["model"])), ("response_format", "verbose_json")]
    for name in ("language", "temperature"):
        if body.get(name) is not None:
            fields.append((name, str(body[name])))
    for granularity in body.get("timestamp_granularities") or ():
        fields.append(("timestamp_granularities[]", str(granularity)))
    if body.get("context_bias"):
        fields.append(("prompt", " ".join(str(word) for word in body["context_bias"])))
    return fields


def transcription_response(data: dict[str, Any], model: str) -> dict[str, Any]:
    segments = [
        {
            "type": "transcription_segment",
            "text": segment.get("text", ""),
            "start": segment.get("start"),
            "end": segment.get("end"),
        }
        for segment in data.get("segments") or ()
    ]
    raw_usage = data.get("usage") or {}
    mapped_usage = usage(raw_usage)
    seconds = raw_usage.get("seconds") if raw_usage.get("type") == "duration" else None
    if seconds is None:
        seconds = data.get("duration")
    if seconds is not None:
        mapped_usage["prompt_audio_seconds"] = math.ceil(float(seconds))
    return {
        "model": model,
        "text": data.get("text", ""),
        "language": data.get("language"),
        "segments": segments,
        "usage": mapped_usage,
    }


def transcription_events(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Mistral transcription stream events synthesised from a finished transcription."""
    events: list[tuple[str, dict[str, Any]]] = []
    if result.get("language"):
        language = {"type": "transcription.language", "audio_language": result["language"]}
        events.append(("transcription.language", language))
    delta = {"type": "transcription.text.delta", "text": result["text"]}
    events.append(("transcription.text.delta", delta))
    events.append(("transcription.done", {**result, "type": "transcription.done"}))
    return events
