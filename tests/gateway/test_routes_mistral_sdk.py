"""Every stateless route through the official mistralai SDK (3.7.0) against the live gateway.

Each call must validate in the SDK (no ResponseValidationError) and carry the public model name.
"""

from __future__ import annotations

import base64
import io
import wave

import pytest
from mistralai.client import Mistral
from mistralai.client.models import File

from tests.harness import LiveServer

MODEL = "test-model"


@pytest.fixture()
def client(live_server: LiveServer) -> Mistral:
    _, key = live_server.new_organization(zdr=True)
    return Mistral(api_key=key, server_url=live_server.base_url)


def small_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(8000)
        sink.writeframes(b"\x00\x01" * 800)
    return buffer.getvalue()


class TestChatCompletions:
    def test_complete(self, client: Mistral) -> None:
        response = client.chat.complete(
            model=MODEL, messages=[{"role": "user", "content": "purple walrus"}]
        )
        assert response.model == MODEL
        assert response.object == "chat.completion"
        assert "purple walrus" in response.choices[0].message.content
        assert response.usage.total_tokens > 0

    def test_stream(self, client: Mistral) -> None:
        events = list(
            client.chat.stream(model=MODEL, messages=[{"role": "user", "content": "green heron"}])
        )
        assert len(events) >= 3
        assert {event.data.model for event in events} == {MODEL}
        text = "".join(event.data.choices[0].delta.content or "" for event in events)
        assert "green heron" in text
        assert events[-1].data.choices[0].finish_reason == "stop"


class TestFimCompletions:
    def test_complete(self, client: Mistral) -> None:
        response = client.fim.complete(model=MODEL, prompt="def add(a, b):", suffix="return")
        assert response.model == MODEL
        assert "def add(a, b):" in response.choices[0].message.content

    def test_stream(self, client: Mistral) -> None:
        events = list(client.fim.stream(model=MODEL, prompt="def mul(a, b):"))
        assert len(events) >= 3
        assert {event.data.model for event in events} == {MODEL}
        text = "".join(event.data.choices[0].delta.content or "" for event in events)
        assert "def mul(a, b):" in text


class TestEmbeddings:
    def test_one_input(self, client: Mistral) -> None:
        response = client.embeddings.create(model=MODEL, inputs="one sentence")
        assert response.model == MODEL
        assert len(response.data) == 1
        assert response.data[0].embedding and response.data[0].index == 0

    def test_several_inputs(self, client: Mistral) -> None:
        response = client.embeddings.create(model=MODEL, inputs=["first", "second", "third"])
        assert response.model == MODEL
        assert [item.index for item in response.data] == [0, 1, 2]
        assert response.data[0].embedding != response.data[1].embedding


class TestClassifiers:
    def test_moderate(self, client: Mistral) -> None:
        response = client.classifiers.moderate(model=MODEL, inputs=["calm text", "violence"])
        assert response.model == MODEL
        assert len(response.results) == 2
        assert response.results[0].categories["violence_and_threats"] is False
        assert response.results[1].categories["violence_and_threats"] is True

    def test_moderate_chat(self, client: Mistral) -> None:
        response = client.classifiers.moderate_chat(
            model=MODEL,
            inputs=[
                {"role": "user", "content": "threat of violence"},
                {"role": "assistant", "content": "no"},
            ],
        )
        assert response.model == MODEL
        assert len(response.results) == 1
        assert response.results[0].categories["violence_and_threats"] is True

    def test_classify(self, client: Mistral) -> None:
        response = client.classifiers.classify(model=MODEL, inputs=["good", "bad"])
        assert response.model == MODEL
        assert len(response.results) == 2
        assert set(response.results[0]["sentiment"].scores) == {"positive", "negative"}

    def test_classify_chat(self, client: Mistral) -> None:
        response = client.classifiers.classify_chat(
            model=MODEL, input={"messages": [{"role": "user", "content": "a lovely day"}]}
        )
        assert response.model == MODEL
        assert len(response.results) == 1
        assert "sentiment" in response.results[0]


class TestOcr:
    def test_image_url(self, client: Mistral) -> None:
        url = "data:image/png;base64," + base64.b64encode(b"scanned receipt").decode()
        response = client.ocr.process(model=MODEL, document={"type": "image_url", "image_url": url})
        assert response.model == MODEL
        assert response.pages[0].markdown == "scanned receipt"
        assert response.usage_info.pages_processed == 1

    def test_document_url(self, client: Mistral) -> None:
        url = "data:application/pdf;base64," + base64.b64encode(b"contract text").decode()
        response = client.ocr.process(
            model=MODEL, document={"type": "document_url", "document_url": url}
        )
        assert response.model == MODEL
        assert response.pages[0].markdown == "contract text"


class TestAudioSpeech:
    def test_complete(self, client: Mistral) -> None:
        response = client.audio.speech.complete(model=MODEL, input="say this aloud")
        assert base64.b64decode(response.audio_data).endswith(b"say this aloud")

    def test_stream(self, client: Mistral) -> None:
        events = list(client.audio.speech.complete(model=MODEL, input="stream aloud", stream=True))
        types = [event.event for event in events]
        assert types[-1] == "speech.audio.done"
        assert types.count("speech.audio.delta") >= 1
        audio = b"".join(
            base64.b64decode(event.data.audio_data)
            for event in events
            if event.event == "speech.audio.delta"
        )
        assert audio.endswith(b"stream aloud")
        assert events[-1].data.usage.total_tokens > 0


class TestAudioTranscriptions:
    def test_complete(self, client: Mistral) -> None:
        audio = small_wav()
        response = client.audio.transcriptions.complete(
            model=MODEL, file=File(file_name="clip.wav", content=audio, content_type="audio/wav")
        )
        assert response.model == MODEL
        assert response.text.startswith("transcript: RIFF")
        assert response.segments and response.segments[0].type == "transcription_segment"
        assert response.usage.total_tokens > 0

    def test_stream(self, client: Mistral) -> None:
        audio = small_wav()
        events = list(
            client.audio.transcriptions.stream(
                model=MODEL,
                file=File(file_name="clip.wav", content=audio, content_type="audio/wav"),
            )
        )
        types = [event.event for event in events]
        assert types[0] == "transcription.language"
        assert "transcription.text.delta" in types
        assert types[-1] == "transcription.done"
        assert events[-1].data.model == MODEL
        assert events[-1].data.text.startswith("transcript: RIFF")
