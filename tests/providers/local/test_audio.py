"""Speech synthesis and transcription, checked against each other: speak, then transcribe."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import soundfile

from zerokeep.providers.base import UploadedFile, UpstreamRequest
from zerokeep.providers.local import LocalProvider
from zerokeep.providers.local.errors import UnsupportedAudioFormat, UnsupportedSpeechFormat
from zerokeep.retention.catalogue import Route

SENTENCE = "Please call me tomorrow morning at nine."


async def _speak(provider: LocalProvider, text: str, response_format: str) -> bytes:
    body = {"input": text, "response_format": response_format}
    response = await provider.send(UpstreamRequest(Route.AUDIO_SPEECH, "local-test", body))
    return base64.b64decode(response["audio_data"])


def _transcribe_request(data: bytes, filename: str, **body: object) -> UpstreamRequest:
    upload = UploadedFile(filename=filename, content_type="audio/wav", data=data)
    return UpstreamRequest(Route.AUDIO_TRANSCRIPTIONS, "local-test", dict(body), file=upload)


class TestSpeech:
    @pytest.mark.parametrize("response_format", ["wav", "flac", "mp3", "opus"])
    async def test_formats_decode_to_about_two_seconds_of_audio(
        self, provider: LocalProvider, response_format: str
    ) -> None:
        data = await _speak(provider, SENTENCE, response_format)
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
        assert rate in (24_000, 48_000)
        assert 1.0 < len(samples) / rate < 6.0
        assert float(np.abs(samples).max()) > 0.1

    async def test_pcm_is_raw_int16(self, provider: LocalProvider) -> None:
        data = await _speak(provider, SENTENCE, "pcm")
        samples = np.frombuffer(data, dtype="<i2")
        assert 24_000 < samples.size < 6 * 24_000

    async def test_stream_sends_deltas_then_done(self, provider: LocalProvider) -> None:
        body = {"input": SENTENCE, "response_format": "wav", "stream": True}
        request = UpstreamRequest(Route.AUDIO_SPEECH, "local-test", body)
        events = [event async for event in provider.stream(request)]
        assert {event.event for event in events[:-1]} == {"speech.audio.delta"}
        assert events[-1].event == "speech.audio.done"
        assert events[-1].data["usage"]["prompt_tokens"] == len(SENTENCE.split())
        audio = b"".join(base64.b64decode(event.data["audio_data"]) for event in events[:-1])
        samples, rate = soundfile.read(io.BytesIO(audio), dtype="float32")
        assert rate == 24_000
        assert 1.0 < len(samples) / rate < 6.0

    async def test_unknown_format_is_refused(self, provider: LocalProvider) -> None:
        with pytest.raises(UnsupportedSpeechFormat):
            await _speak(provider, SENTENCE, "aac")


def _recovered(expected: str, heard: str) -> float:
    words = [word.strip(".,").lower() for word in expected.split()]
    heard_words = set(heard.lower().split())
    return sum(word in heard_words for word in words) / len(words)


class TestTranscription:
    async def test_recovers_most_words_of_synthesised_speech(self, provider: LocalProvider) -> None:
        audio = await _speak(provider, SENTENCE, "wav")
        response = await provider.send(_transcribe_request(audio, "speech.wav"))
        assert _recovered(SENTENCE, response["text"]) >= 0.7
        assert response["language"] == "en"
        assert response["segments"][0]["type"] == "transcription_segment"
        assert response["segments"][-1]["end"] > response["segments"][0]["start"]
        assert response["usage"]["prompt_audio_seconds"] >= 1

    async def test_reads_flac_and_streams_deltas_then_done(self, provider: LocalProvider) -> None:
        audio = await _speak(provider, SENTENCE, "flac")
        events = [event async for event in provider.stream(_transcribe_request(audio, "a.flac"))]
        kinds = [event.event for event in events]
        assert kinds[0] == "transcription.language"
        assert kinds[-1] == "transcription.done"
        assert "transcription.text.delta" in kinds
        deltas = "".join(e.data["text"] for e in events if e.event == "transcription.text.delta")
        assert deltas == events[-1].data["text"]
        assert _recovered(SENTENCE, deltas) >= 0.7

    async def test_garbage_audio_is_refused(self, provider: LocalProvider) -> None:
        with pytest.raises(UnsupportedAudioFormat):
            await provider.send(_transcribe_request(b"not audio at all", "x.wav"))
