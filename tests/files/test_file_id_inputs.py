"""OCR and transcription accept the `file_id` of a file the organization owns: the upstream gets
the bytes inline. Another organization's file id is a 404, like every tenant-scoped id."""

from __future__ import annotations

import io
import wave

import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError

from tests.harness import LiveServer

MODEL = "test-model"
PDF = b"%PDF-1.4 quarterly report text"


def small_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(8000)
        sink.writeframes(b"\x00\x01" * 800)
    return buffer.getvalue()


@pytest.fixture()
def client(live_server: LiveServer) -> Mistral:
    return Mistral(api_key=live_server.new_organization()[1], server_url=live_server.base_url)


def upload(client: Mistral, name: str, content: bytes, purpose: str) -> str:
    created = client.files.upload(file={"file_name": name, "content": content}, purpose=purpose)  # type: ignore[arg-type]
    return str(created.id)


class TestOcrFileId:
    def test_reads_the_organizations_file(self, client: Mistral) -> None:
        file_id = upload(client, "report.pdf", PDF, "ocr")
        response = client.ocr.process(model=MODEL, document={"type": "file", "file_id": file_id})
        assert response.pages[0].markdown == PDF.decode()

    def test_another_organizations_file_is_404(
        self, client: Mistral, live_server: LiveServer
    ) -> None:
        file_id = upload(client, "report.pdf", PDF, "ocr")
        stranger = Mistral(
            api_key=live_server.new_organization()[1], server_url=live_server.base_url
        )
        with pytest.raises(SDKError) as raised:
            stranger.ocr.process(model=MODEL, document={"type": "file", "file_id": file_id})
        assert raised.value.status_code == 404

    def test_deleted_file_is_404(self, client: Mistral) -> None:
        file_id = upload(client, "report.pdf", PDF, "ocr")
        client.files.delete(file_id=file_id)
        with pytest.raises(SDKError) as raised:
            client.ocr.process(model=MODEL, document={"type": "file", "file_id": file_id})
        assert raised.value.status_code == 404


class TestTranscriptionFileId:
    def test_reads_the_organizations_audio(self, client: Mistral) -> None:
        file_id = upload(client, "clip.wav", small_wav(), "audio")
        response = client.audio.transcriptions.complete(model=MODEL, file_id=file_id)
        assert response.text.startswith("transcript: RIFF")
