"""Text to speech with eSpeak NG (library and voice data bundled by `espeakng-loader`).

eSpeak NG is a formant synthesiser: intelligible, robotic, fast (well over 50x real time on one
core), about 100 languages. `voice_id` may name an eSpeak voice (`en-us`, `fr`, `de+f3`, ...);
anything else falls back to the default `en-us+klatt3`, the variant local transcription
recognised best. Audio is produced at 22.05 kHz and resampled to 24 kHz, mono, for every format
(`pcm` is raw signed 16-bit little-endian at 24 kHz). eSpeak NG keeps global state, so one
synthesis runs at a time per process whatever the configured concurrency.
"""

from __future__ import annotations

import base64
import ctypes
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local import audio

DEFAULT_VOICE = "en-us+klatt3"
OUTPUT_RATE = 24_000
WORDS_PER_MINUTE = 150
_CHUNK_BYTES = 24_000  # raw bytes per streamed delta, before base64

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class Espeak:
    """A ctypes binding of the few libespeak-ng calls synthesis needs."""

    def __init__(self) -> None:
        import espeakng_loader  # type: ignore[import-untyped]

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0))
        if self.sample_rate <= 0:
            raise RuntimeError("libespeak-ng failed to initialise")
        self._chunks: list[NDArray[np.int16]] = []
        # Keep a reference: ctypes frees the trampoline when the Python object goes away.
        self._callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self._lib = lib

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def synthesise(self, text: str, voice: str | None) -> NDArray[np.float32]:
        """Return mono float32 samples at `sample_rate`."""
        chosen = (voice or DEFAULT_VOICE).encode()
        if self._lib.espeak_SetVoiceByName(chosen) != 0:
            self._lib.espeak_SetVoiceByName(DEFAULT_VOICE.encode())
        self._lib.espeak_SetParameter(_ESPEAK_RATE, WORDS_PER_MINUTE, 0)
        self._chunks = []
        encoded = text.encode("utf-8")
        buffer = ctypes.create_string_buffer(encoded)
        self._lib.espeak_Synth(
            buffer, len(encoded) + 1, 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None
        )
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        samples = np.concatenate(self._chunks).astype(np.float32) / 32768.0
        self._chunks = []
        return samples


def load_espeak() -> Espeak:
    return Espeak()


def synthesise(
    engine: Espeak, text: str, voice: str | None, response_format: str, provider: str
) -> tuple[bytes, dict[str, Any]]:
    """Return the encoded audio and the usage of one synthesis."""
    samples = audio.resample(engine.synthesise(text, voice), engine.sample_rate, OUTPUT_RATE)
    data = audio.encode(samples, OUTPUT_RATE, response_format, provider)
    words = len(text.split())
    usage = {
        "prompt_tokens": words,
        "completion_tokens": 0,
        "total_tokens": words,
        "prompt_audio_seconds": None,
    }
    return data, usage


def response(data: bytes) -> dict[str, Any]:
    return {"audio_data": base64.b64encode(data).decode("ascii")}


def stream_events(data: bytes, usage: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a speech stream: audio deltas, then done with usage."""
    for start in range(0, len(data), _CHUNK_BYTES):
        chunk = base64.b64encode(data[start : start + _CHUNK_BYTES]).decode("ascii")
        yield "speech.audio.delta", {"type": "speech.audio.delta", "audio_data": chunk}
    yield "speech.audio.done", {"type": "speech.audio.done", "usage": usage}
