"""Canary traffic through every stateless route, with the official `mistralai` SDK: each route
non-streaming, and chat, FIM, speech and transcription streaming too.

    calls = send_routes(base_url, api_key, models, canary, organization="zdr")
    [(call.name, call.status) for call in calls]
"""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zerokeep.retention.catalogue import Route
from zerokeep.retention_audit.canary import Canary

SDK_TIMEOUT_MS = 60_000


@dataclass(frozen=True, slots=True)
class CallResult:
    """One call of the audit's traffic: what was sent where, and the status it got."""

    name: str
    route: str
    organization: str
    status: int | None  # None: not sent (no model serves the route); see `note`
    expected: tuple[int, ...] = (200,)
    note: str | None = None
    is_skipped: bool = False

    @property
    def is_as_expected(self) -> bool:
        return self.is_skipped or self.status in self.expected


def canary_wav(canary: Canary) -> bytes:
    """A valid WAV whose header is preceded, and whose frames are made, by the canary."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(canary.token.encode() * 4)
    return canary.token.encode() + buffer.getvalue()


def sdk_client(base_url: str, api_key: str) -> Any:
    try:
        from mistralai.client import Mistral
        from mistralai.client.utils import RetryConfig
    except ImportError as error:  # the SDK ships with the test extra
        raise RuntimeError(
            "the retention audit sends traffic with the official mistralai SDK: "
            "pip install 'mistralai>=3.7,<4'"
        ) from error
    return Mistral(
        api_key=api_key,
        server_url=base_url,
        retry_config=RetryConfig("none", None, False),  # type: ignore[arg-type]
        timeout_ms=SDK_TIMEOUT_MS,
    )


def status_of(call: Callable[[], object]) -> int:
    from mistralai.client.errors import MistralError

    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, dict | str | bytes):
            for _ in result:  # drain a stream: every event passes through the gateway
                pass
    except MistralError as error:
        return int(error.status_code)
    return 200


Calls = dict[str, tuple[Route, Callable[[], object]]]


def _text_calls(c: Any, m: Callable[[Route], str], canary: Canary) -> Calls:
    text = canary.prompt()
    messages = [{"role": "user", "content": text}]
    return {
        "chat.complete": (
            Route.CHAT_COMPLETIONS,
            lambda: c.chat.complete(model=m(Route.CHAT_COMPLETIONS), messages=messages),
        ),
        "chat.stream": (
            Route.CHAT_COMPLETIONS,
            lambda: c.chat.stream(model=m(Route.CHAT_COMPLETIONS), messages=messages),
        ),
        "fim.complete": (
            Route.FIM_COMPLETIONS,
            lambda: c.fim.complete(model=m(Route.FIM_COMPLETIONS), prompt=text, suffix=text),
        ),
        "fim.stream": (
            Route.FIM_COMPLETIONS,
            lambda: c.fim.stream(model=m(Route.FIM_COMPLETIONS), prompt=text, suffix=text),
        ),
        "embeddings.create": (
            Route.EMBEDDINGS,
            lambda: c.embeddings.create(model=m(Route.EMBEDDINGS), inputs=[text, canary.token]),
        ),
        "classifiers.moderate": (
            Route.MODERATIONS,
            lambda: c.classifiers.moderate(model=m(Route.MODERATIONS), inputs=[text]),
        ),
        "classifiers.moderate_chat": (
            Route.CHAT_MODERATIONS,
            lambda: c.classifiers.moderate_chat(model=m(Route.CHAT_MODERATIONS), inputs=messages),
        ),
        "classifiers.classify": (
            Route.CLASSIFICATIONS,
            lambda: c.classifiers.classify(model=m(Route.CLASSIFICATIONS), inputs=[text]),
        ),
        "classifiers.classify_chat": (
            Route.CHAT_CLASSIFICATIONS,
            lambda: c.classifiers.classify_chat(
                model=m(Route.CHAT_CLASSIFICATIONS), input={"messages": messages}
            ),
        ),
    }


def _media_calls(c: Any, m: Callable[[Route], str], canary: Canary) -> Calls:
    from mistralai.client.models import File

    text = canary.prompt()
    document = "data:text/plain;base64," + base64.b64encode(text.encode()).decode()

    def audio() -> Any:
        wav = canary_wav(canary)
        return File(file_name=f"{canary.token}.wav", content=wav, content_type="audio/wav")

    return {
        "ocr.process": (
            Route.OCR,
            lambda: c.ocr.process(
                model=m(Route.OCR),
                document={"type": "document_url", "document_url": document},
            ),
        ),
        "audio.speech.complete": (
            Route.AUDIO_SPEECH,
            lambda: c.audio.speech.complete(
                model=m(Route.AUDIO_SPEECH), input=text, response_format="wav"
            ),
        ),
        "audio.speech.stream": (
            Route.AUDIO_SPEECH,
            lambda: c.audio.speech.complete(
                model=m(Route.AUDIO_SPEECH), input=text, response_format="wav", stream=True
            ),
        ),
        "audio.transcriptions.complete": (
            Route.AUDIO_TRANSCRIPTIONS,
            lambda: c.audio.transcriptions.complete(
                model=m(Route.AUDIO_TRANSCRIPTIONS), file=audio(), context_bias=[canary.token]
            ),
        ),
        "audio.transcriptions.stream": (
            Route.AUDIO_TRANSCRIPTIONS,
            lambda: c.audio.transcriptions.stream(
                model=m(Route.AUDIO_TRANSCRIPTIONS), file=audio(), context_bias=[canary.token]
            ),
        ),
    }


def send_routes(
    base_url: str,
    api_key: str,
    models: dict[Route, str],
    canary: Canary,
    organization: str,
) -> list[CallResult]:
    """Every stateless route (and its streaming form) once, through the SDK."""
    client = sdk_client(base_url, api_key)
    results = []
    model = models.__getitem__
    calls = {**_text_calls(client, model, canary), **_media_calls(client, model, canary)}
    for name, (route, call) in calls.items():
        if route not in models:
            results.append(
                CallResult(
                    name,
                    route.value,
                    organization,
                    None,
                    note="not sent: no model serves this route",
                    is_skipped=True,
                )
            )
            continue
        results.append(CallResult(name, route.value, organization, status_of(call)))
    return results
