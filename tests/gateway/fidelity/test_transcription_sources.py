"""Defect 1: a transcription by `file_url` (no file attached) is sent by the SDK as
application/x-www-form-urlencoded; it must be accepted, and `file_id` has a clear answer (an id
that is not one of the organization's files is a 404; tests/files cover a real one)."""

from __future__ import annotations

import pytest
from mistralai.client import Mistral, errors

from tests.fakes.scripted import Reply, ScriptedUpstream

TRANSCRIPTIONS = "/v1/audio/transcriptions"
ANSWER = {
    "model": "voxtral",
    "text": "hello there",
    "language": "en",
    "segments": [],
    "usage": {
        "prompt_audio_seconds": 2,
        "prompt_tokens": 4,
        "completion_tokens": 2,
        "total_tokens": 6,
    },
}


class TestFileUrl:
    def test_file_url_is_forwarded(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(TRANSCRIPTIONS, Reply.json(ANSWER))
        result = client.audio.transcriptions.complete(
            model="m-mistral", file_url="https://audio.example/clip.wav", language="en"
        )
        assert result.text == "hello there"
        assert result.model == "m-mistral"
        sent = mistral.bodies(TRANSCRIPTIONS)[-1]
        assert sent["file_url"] == "https://audio.example/clip.wav"
        assert sent["language"] == "en"
        assert "file" not in sent

    def test_unknown_file_id_is_a_404_and_never_forwarded(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        mistral, _ = upstreams
        mistral.reply(TRANSCRIPTIONS, Reply.json(ANSWER))
        with pytest.raises(errors.SDKError) as caught:
            client.audio.transcriptions.complete(
                model="m-mistral", file_id="7d9e8f54-7c1c-4b69-9d77-0c8b6a6c8a11"
            )
        assert caught.value.status_code == 404
        assert mistral.received(TRANSCRIPTIONS) == []
