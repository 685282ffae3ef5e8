"""Audio decoding, resampling and encoding for the local speech and transcription routes.

Encoding and decoding use `soundfile`, whose wheels bundle libsndfile (with FLAC, Ogg Vorbis/Opus
and MPEG layer III), so no system binary (ffmpeg) is needed.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local.errors import UnsupportedAudioFormat, UnsupportedSpeechFormat

SPEECH_FORMATS = ("pcm", "wav", "mp3", "flac", "opus")
_SOUNDFILE_FORMATS = {
    "wav": ("WAV", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "flac": ("FLAC", "PCM_16"),
    "opus": ("OGG", "OPUS"),
}


def resample(samples: NDArray[np.float32], rate: int, target: int) -> NDArray[np.float32]:
    """Band-limited resampling by FFT (zero-padding or truncating the spectrum)."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32)
    count = round(samples.size * target / rate)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    resized = np.zeros(count // 2 + 1, dtype=np.complex128)
    keep = min(spectrum.size, resized.size)
    resized[:keep] = spectrum[:keep]
    return (np.fft.irfft(resized, count) * (count / samples.size)).astype(np.float32)


def decode(data: bytes, provider: str) -> tuple[NDArray[np.float32], int]:
    """Decode an audio file to mono float32 in [-1, 1] and its sample rate."""
    import soundfile  # type: ignore[import-untyped]

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise UnsupportedAudioFormat(provider) from error
    mono: NDArray[np.float32] = samples.mean(axis=1).astype(np.float32)
    return mono, int(rate)


def to_int16(samples: NDArray[np.float32]) -> NDArray[np.int16]:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)


def encode(samples: NDArray[np.float32], rate: int, response_format: str, provider: str) -> bytes:
    """Encode mono float32 samples; `pcm` is raw signed 16-bit little-endian."""
    if response_format == "pcm":
        return to_int16(samples).astype("<i2").tobytes()
    if response_format not in _SOUNDFILE_FORMATS:
        raise UnsupportedSpeechFormat(provider)
    import soundfile

    container, subtype = _SOUNDFILE_FORMATS[response_format]
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=container, subtype=subtype)
    return buffer.getvalue()
