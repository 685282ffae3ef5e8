"""The default local models behind a live gateway, through the official mistralai SDK.

One server for the module, with the default settings' `local` provider and models: real
answers over HTTP, the retention header on every response, and 503 + Retry-After when full.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import httpx
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError
from mistralai.client.models import File
from PIL import Image, ImageDraw, ImageFont

from tests.harness import LiveServer
from zerokeep.config import Settings
from zerokeep.providers.local import LocalProvider
from zerokeep.providers.local.runner import Slot

SENTENCE = "Please call me tomorrow morning at nine."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("local-sdk")
    url = f"sqlite+aiosqlite:///{data_dir / 'zerokeep.db'}"
    defaults = Settings.model_fields
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="test-secret-" + "x" * 40,
        # Explicit, so that a zerokeep.toml or ZEROKEEP_* variable cannot replace the defaults.
        providers=defaults["providers"].default_factory(),  # type: ignore[misc,call-arg]
        models=defaults["models"].default_factory(),  # type: ignore[misc,call-arg]
    )
    live = LiveServer(settings).start()  # migrates the new database to head
    try:
        yield live
    finally:
        live.stop()


class Recorder:
    """Remembers the `zerokeep-retention` header of every response the SDK received."""

    def __init__(self) -> None:
        self.retention: list[tuple[str, str | None]] = []

    def __call__(self, response: httpx.Response) -> None:
        self.retention.append(
            (response.request.url.path, response.headers.get("zerokeep-retention"))
        )


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def client(server: LiveServer, recorder: Recorder) -> Iterator[Mistral]:
    _, key = server.new_organization(zdr=True)
    http = httpx.Client(event_hooks={"response": [recorder]}, timeout=300)
    yield Mistral(api_key=key, server_url=server.base_url, client=http)
    http.close()


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # e5 vectors are L2-normalised


def rendered_text_url(lines: list[str]) -> str:
    image = Image.new("RGB", (900, 90 + 70 * len(lines)), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=40)
    for row, line in enumerate(lines):
        draw.text((40, 40 + 70 * row), line, "black", font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def recovered(expected: str, heard: str) -> float:
    words = [word.strip(".,").lower() for word in expected.split()]
    heard_words = set(heard.lower().replace(".", " ").split())
    return sum(word in heard_words for word in words) / len(words)


class TestRoutes:
    @pytest.fixture(autouse=True)
    def every_response_says_none(self, recorder: Recorder) -> Iterator[None]:
        """Each test's responses (a ZDR organization) all carry `zerokeep-retention: none`."""
        recorder.retention.clear()
        yield
        assert recorder.retention, "the test made no call through the SDK"
        assert {value for _, value in recorder.retention} == {"none"}, recorder.retention

    def test_chat_answers_a_simple_question(self, client: Mistral) -> None:
        response = client.chat.complete(
            model="local-chat",
            messages=[{"role": "user", "content": "What is the capital of France?"}],
            temperature=0,
            max_tokens=40,
        )
        assert response.model == "local-chat"
        assert "Paris" in str(response.choices[0].message.content)

    def test_chat_stream(self, client: Mistral) -> None:
        events = client.chat.stream(
            model="local-chat",
            messages=[{"role": "user", "content": "What is the capital of France?"}],
            temperature=0,
            max_tokens=40,
        )
        text = "".join(str(event.data.choices[0].delta.content or "") for event in events)
        assert "Paris" in text

    def test_embeddings_of_paraphrases_are_closer(self, client: Mistral) -> None:
        response = client.embeddings.create(
            model="local-embed",
            inputs=[
                "The cat is sleeping on the sofa.",
                "A kitten naps on the couch.",
                "Interest rates were raised by the central bank.",
            ],
        )
        cat, kitten, bank = (item.embedding for item in response.data)
        assert cat is not None and kitten is not None and bank is not None
        assert len(cat) == 384
        assert cosine(cat, kitten) > cosine(cat, bank) + 0.05

    def test_ocr_reads_a_rendered_image(self, client: Mistral) -> None:
        url = rendered_text_url(["Invoice number 4521", "Total due: 99 euros"])
        response = client.ocr.process(
            model="local-ocr", document={"type": "image_url", "image_url": url}
        )
        text = response.pages[0].markdown
        assert "Invoice" in text and "4521" in text and "euros" in text

    def test_transcription_recovers_synthesised_speech(self, client: Mistral) -> None:
        speech = client.audio.speech.complete(
            model="local-speech", input=SENTENCE, response_format="wav"
        )
        audio = base64.b64decode(speech.audio_data)
        assert audio.startswith(b"RIFF")
        response = client.audio.transcriptions.complete(
            model="local-transcribe",
            file=File(file_name="speech.wav", content=audio, content_type="audio/wav"),
        )
        assert recovered(SENTENCE, response.text) >= 0.7

    def test_moderation_flags_a_threat_not_a_recipe(self, client: Mistral) -> None:
        response = client.classifiers.moderate(
            model="local-moderation",
            inputs=[
                "I'm going to stab you tonight, watch your back.",
                "What's a good recipe for pasta with tomatoes?",
            ],
        )
        threat, recipe = response.results
        assert threat.categories is not None and recipe.categories is not None
        assert threat.categories["violence_and_threats"] is True
        assert not any(recipe.categories.values())

    def test_classification_gives_the_sentiment(self, client: Mistral) -> None:
        response = client.classifiers.classify(
            model="local-moderation",
            inputs=[
                "I absolutely love this phone, it is fantastic!",
                "This was the worst meal I have ever had, disgusting.",
            ],
        )
        happy, angry = (result["sentiment"].scores for result in response.results)
        assert max(happy, key=lambda label: happy[label]) == "positive"
        assert max(angry, key=lambda label: angry[label]) == "negative"


class TestContextWindow:
    """Issue 12 (Vibe): a prompt longer than the local chat model's context is a 400 with a
    context-length code before any stream starts, never a 200 stream cut in the middle."""

    LONG = "word " * 9000  # more tokens than SmolLM2's 8,192-token window

    def test_the_model_card_states_the_real_context(self, client: Mistral) -> None:
        assert client.models.retrieve(model_id="local-chat").max_context_length == 8192

    def test_too_long_stream_is_a_400_before_the_stream(self, client: Mistral) -> None:
        with pytest.raises(SDKError) as caught:
            list(
                client.chat.stream(
                    model="local-chat", messages=[{"role": "user", "content": self.LONG}]
                )
            )
        assert caught.value.status_code == 400
        assert '"code":"context_length_exceeded"' in caught.value.body.replace(" ", "")

    def test_too_long_completion_is_a_400(self, client: Mistral) -> None:
        with pytest.raises(SDKError) as caught:
            client.chat.complete(
                model="local-chat", messages=[{"role": "user", "content": self.LONG}]
            )
        assert caught.value.status_code == 400


class TestRetentionHeader:
    def test_other_orgs_are_told_the_archive_window(self, server: LiveServer) -> None:
        _, key = server.new_organization(zdr=False)
        response = httpx.post(
            server.base_url + "/v1/embeddings",
            headers={"Authorization": f"Bearer {key}"},
            json={"model": "local-embed", "input": "hello"},
            timeout=60,
        )
        assert response.status_code == 200
        assert response.headers["zerokeep-retention"] == "archive; days=30"


class TestFullQueue:
    def test_full_chat_queue_is_503_with_retry_after(
        self, server: LiveServer, client: Mistral
    ) -> None:
        provider = server.state.providers["local"]
        assert isinstance(provider, LocalProvider)
        chat = provider.runners.chat

        async def fill() -> list[Slot]:
            # Reserve every running and waiting place, as in-flight requests would.
            return [chat.slot() for _ in range(chat.max_concurrency + chat.queue_size)]

        async def release(slots: list[Slot]) -> None:
            for slot in slots:
                await slot.__aexit__(None, None, None)

        slots = server.run(fill())
        try:
            with pytest.raises(SDKError) as raised:
                client.chat.complete(
                    model="local-chat", messages=[{"role": "user", "content": "Hi"}]
                )
            response = raised.value.raw_response
            assert response.status_code == 503
            assert response.headers["retry-after"] == str(provider.config.retry_after_seconds)
            assert response.headers["zerokeep-retention"] == "none"
            assert response.json() == {
                "object": "error",
                "message": "The model is busy; retry shortly.",
                "type": "model_busy",
                "param": None,
                "code": None,
            }
        finally:
            server.run(release(slots))
        answer = client.chat.complete(
            model="local-chat", messages=[{"role": "user", "content": "Hi"}], max_tokens=5
        )
        assert answer.choices[0].message.content
