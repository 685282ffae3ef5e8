"""LocalProvider: the ten stateless Mistral routes served in-process by small bundled models.

    provider = LocalProvider(LocalConfig(max_concurrency=1, queue_size=8))
    answer = await provider.send(UpstreamRequest(Route.CHAT_COMPLETIONS, "local", body))

Each model kind (chat, embeddings, classifier, ocr, speech, transcription) has its own
`ModelRunner`: lazy loading, a thread pool off the event loop, and bounded admission that raises
`UpstreamBusy` when full. Models and their limits: docs/local-provider.md.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from zerokeep.providers.base import (
    Provider,
    ProviderInfo,
    RouteNotSupported,
    StreamEvent,
    UpstreamRequest,
)
from zerokeep.providers.local import (
    chat,
    classify,
    embeddings,
    messages,
    ocr,
    speech,
    transcription,
)
from zerokeep.providers.local.errors import MissingInput
from zerokeep.providers.local.runner import ModelRunner
from zerokeep.retention.catalogue import Route

PROVIDER_NAME = "local"


@dataclass(frozen=True, slots=True)
class LocalConfig:
    """Tuning of the local provider; concurrency and queue apply to each model separately."""

    max_concurrency: int = 1
    queue_size: int = 8
    retry_after_seconds: int = 2
    chat_context_tokens: int = chat.MODEL_CONTEXT_TOKENS
    chat_threads: int | None = None


class Classifier:
    """An embedder plus its embedded category exemplars (built once, at load)."""

    def __init__(self, embedder: embeddings.Embedder) -> None:
        self.embedder = embedder
        self.index = classify.ExemplarIndex(embedder)


def _load_classifier() -> Classifier:
    return Classifier(embeddings.load_embedder())


class Runners:
    """One runner per model kind, built from the config."""

    def __init__(self, config: LocalConfig) -> None:
        def runner(name: str, loader: Any, concurrency: int | None = None) -> ModelRunner[Any]:
            return ModelRunner(
                f"local-{name}",
                loader,
                provider=PROVIDER_NAME,
                max_concurrency=concurrency or config.max_concurrency,
                queue_size=config.queue_size,
                retry_after=config.retry_after_seconds,
            )

        load_chat = functools.partial(
            chat.load_llama, config.chat_context_tokens, config.chat_threads
        )
        self.chat = runner("chat", load_chat)
        self.embeddings = runner("embeddings", embeddings.load_embedder)
        self.classifier = runner("classifier", _load_classifier)
        self.ocr = runner("ocr", ocr.load_ocr)
        # eSpeak NG holds process-global state: one synthesis at a time, whatever the config.
        self.speech = runner("speech", speech.load_espeak, concurrency=1)
        self.transcription = runner("transcription", transcription.load_decoder)

    def all(self) -> list[ModelRunner[Any]]:
        return [
            self.chat,
            self.embeddings,
            self.classifier,
            self.ocr,
            self.speech,
            self.transcription,
        ]


class LocalProvider:
    """The embedded provider; see the module docstring."""

    def __init__(self, config: LocalConfig | None = None, *, name: str = PROVIDER_NAME) -> None:
        self.config = config or LocalConfig()
        self.info = ProviderInfo(
            name=name,
            kind="local",
            retention_days=None,
            routes=frozenset(Route),
            context_length=self.config.chat_context_tokens,
        )
        self.runners = Runners(self.config)

    def supports(self, route: Route) -> bool:
        return route in self.info.routes

    async def send(self, request: UpstreamRequest) -> dict[str, Any]:
        route, body, model = request.route, request.body, request.model
        name = self.info.name
        if route in (Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS):

            def complete(llama: Any) -> dict[str, Any]:
                prompt = self._prompt(llama, request)
                chat.check_fits(llama, prompt, name)
                return chat.complete(llama, prompt, model)

            return await self.runners.chat.run(complete)
        if route is Route.EMBEDDINGS:
            embeddings.check_options(body, name)
            texts = embeddings.input_texts(body.get("input"), name)
            vectors, tokens = await self.runners.embeddings.run(
                lambda embedder: embeddings.embed(embedder, texts)
            )
            return embeddings.response(model, vectors, tokens, body.get("encoding_format"))
        if route in _CLASSIFY_ROUTES:
            return await self._classify(request)
        if route is Route.OCR:
            return await self._ocr(request)
        if route is Route.AUDIO_SPEECH:
            audio, _usage = await self._speech(request)
            return speech.response(audio)
        if route is Route.AUDIO_TRANSCRIPTIONS:
            return await self._transcribe(request)
        raise RouteNotSupported(name)

    async def stream(self, request: UpstreamRequest) -> AsyncGenerator[StreamEvent, None]:
        route = request.route
        if route in (Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS):

            def generate(llama: Any, emit: Any, cancelled: Any) -> None:
                prompt = self._prompt(llama, request)
                chat.check_fits(llama, prompt, self.info.name)  # before the first chunk
                chat.stream_chunks(llama, prompt, request.model, emit, cancelled)

            async for chunk in self.runners.chat.stream(generate):
                yield StreamEvent(data=chunk)
        elif route is Route.AUDIO_SPEECH:
            audio, usage = await self._speech(request)
            for event, data in speech.stream_events(audio, usage):
                yield StreamEvent(data=data, event=event)
        elif route is Route.AUDIO_TRANSCRIPTIONS:
            done = await self._transcribe(request)
            for event, data in transcription.stream_events(done):
                yield StreamEvent(data=data, event=event)
        else:
            raise RouteNotSupported(self.info.name)

    async def aclose(self) -> None:
        for runner in self.runners.all():
            runner.shutdown()

    @staticmethod
    def _prompt(llama: Any, request: UpstreamRequest) -> chat.Prompt:
        if request.route is Route.FIM_COMPLETIONS:
            return chat.fim_prompt(request.body)
        return chat.chat_prompt(llama, request.body)

    async def _classify(self, request: UpstreamRequest) -> dict[str, Any]:
        route, body = request.route, request.body
        if route in (Route.CHAT_MODERATIONS, Route.CHAT_CLASSIFICATIONS):
            texts = [
                messages.conversation_text(c) for c in messages.conversations(body.get("input"))
            ]
            if not texts:
                raise MissingInput(self.info.name)
        else:
            texts = embeddings.input_texts(body.get("input"), self.info.name)
        is_moderation = route in (Route.MODERATIONS, Route.CHAT_MODERATIONS)

        def work(classifier: Classifier) -> list[dict[str, Any]]:
            vectors = classifier.embedder.query(texts)
            if is_moderation:
                return classify.moderate(classifier.index, vectors)
            return classify.classify(classifier.index, vectors)

        results = await self.runners.classifier.run(work)
        kind = "mod" if is_moderation else "cls"
        return classify.response(kind, request.model, results)

    async def _ocr(self, request: UpstreamRequest) -> dict[str, Any]:
        data = ocr.document_bytes(request.body.get("document"), self.info.name)
        pages_option = request.body.get("pages")
        name = self.info.name

        def work(engine: ocr.OcrEngine) -> list[dict[str, Any]]:
            pages = []
            for index, pixels, dpi in ocr.page_images(data, pages_option, name):
                pages.append(ocr.page_object(index, ocr.recognise(engine, pixels), pixels, dpi))
            return pages

        pages = await self.runners.ocr.run(work)
        return ocr.response(request.model, pages, len(data))

    async def _speech(self, request: UpstreamRequest) -> tuple[bytes, dict[str, Any]]:
        body, name = request.body, self.info.name
        text = body.get("input")
        if not isinstance(text, str) or not text.strip():
            raise MissingInput(name)
        response_format = str(body.get("response_format") or "mp3")
        voice = body.get("voice_id")
        return await self.runners.speech.run(
            lambda engine: speech.synthesise(engine, text, voice, response_format, name)
        )

    async def _transcribe(self, request: UpstreamRequest) -> dict[str, Any]:
        name = self.info.name
        if request.file is None:
            raise MissingInput(name)
        transcription.check_language(request.body, name)
        pcm, seconds = transcription.prepare(request.file.data, name)
        segments = await self.runners.transcription.run(
            lambda decoder: transcription.recognise(decoder, pcm)
        )
        return transcription.response(request.model, segments, seconds)


_CLASSIFY_ROUTES = frozenset(
    {Route.MODERATIONS, Route.CHAT_MODERATIONS, Route.CLASSIFICATIONS, Route.CHAT_CLASSIFICATIONS}
)


def _conforms(provider: LocalProvider) -> Provider:
    """Type-level check that LocalProvider satisfies the Provider protocol (mypy --strict)."""
    return provider
