"""Speech to text with PocketSphinx and its bundled US English model (en-us, 3-gram LM).

Audio is any format libsndfile reads (WAV, FLAC, Ogg Vorbis/Opus, MP3), mixed to mono and
resampled to 16 kHz. Only English is recognised: a `language` other than `en` is refused.
Accuracy is that of a 2010s HMM recogniser: fine on clear read speech, poor on noisy,
accented or conversational audio. Segments are split at pauses of 0.3 s or longer.
Streaming decodes the whole file, then sends one text delta per segment.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local import audio
from zerokeep.providers.local.errors import UnsupportedOption

SAMPLE_RATE = 16_000
FRAMES_PER_SECOND = 100
_PAUSE_FRAMES = 30
_FILLERS = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")


class Decoder(Protocol):
    def start_utt(self) -> None: ...

    def process_raw(self, data: bytes, no_search: bool = ..., full_utt: bool = ...) -> int: ...

    def end_utt(self) -> None: ...

    def seg(self) -> Any: ...


def load_decoder() -> Decoder:
    from pocketsphinx import Decoder as SphinxDecoder  # type: ignore[import-untyped]

    decoder: Decoder = SphinxDecoder(samprate=SAMPLE_RATE, loglevel="FATAL")
    return decoder


def check_language(body: dict[str, Any], provider: str) -> None:
    language = body.get("language")
    if language not in (None, "", "en"):
        raise UnsupportedOption(provider)


def prepare(data: bytes, provider: str) -> tuple[NDArray[np.int16], float]:
    """Decode and resample an audio file; return 16 kHz int16 samples and the duration."""
    samples, rate = audio.decode(data, provider)
    resampled = audio.resample(samples, rate, SAMPLE_RATE)
    return audio.to_int16(resampled), resampled.size / SAMPLE_RATE


def recognise(decoder: Decoder, pcm: NDArray[np.int16]) -> list[dict[str, Any]]:
    """Return segments {type, text, start, end} of the recognised words."""
    decoder.start_utt()
    decoder.process_raw(pcm.astype("<i2").tobytes(), False, True)
    decoder.end_utt()
    words = []
    for item in decoder.seg() or []:
        word = _ALTERNATE.sub("", item.word)
        if not _FILLERS.match(word):
            words.append((word, int(item.start_frame), int(item.end_frame)))
    return _segments(words)


def _segments(words: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    groups: list[list[tuple[str, int, int]]] = []
    for word in words:
        if groups and word[1] - groups[-1][-1][2] < _PAUSE_FRAMES:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [
        {
            "type": "transcription_segment",
            "text": " ".join(word for word, _start, _end in group),
            "start": round(group[0][1] / FRAMES_PER_SECOND, 2),
            "end": round(group[-1][2] / FRAMES_PER_SECOND, 2),
        }
        for group in groups
    ]


def response(model: str, segments: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Build the TranscriptionResponse."""
    text = " ".join(segment["text"] for segment in segments)
    words = len(text.split())
    return {
        "model": model,
        "text": text,
        "language": "en",
        "segments": segments,
        "usage": {
            "prompt_audio_seconds": round(seconds),
            "prompt_tokens": 0,
            "completion_tokens": words,
            "total_tokens": words,
        },
    }


def stream_events(done: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a transcription stream built from a finished response."""
    events: list[tuple[str, dict[str, Any]]] = [
        ("transcription.language", {"type": "transcription.language", "audio_language": "en"})
    ]
    for index, segment in enumerate(done["segments"]):
        text = segment["text"] if index == 0 else " " + segment["text"]
        events.append(
            ("transcription.text.delta", {"type": "transcription.text.delta", "text": text})
        )
    events.append(("transcription.done", {"type": "transcription.done", **done}))
    return events
