"""FakeUpstream: a real HTTP server, in its own thread, that answers as Mistral and as OpenAI.

(The tests use it too, through tests/fakes.)

Mistral routes live at `/v1/...`; the OpenAI dialect at `/openai/v1/...`, so one server serves
both (`fake.base_url` for Mistral, `fake.openai_base_url` for OpenAI-compatible providers).
Answers echo the prompt. The request's `model` picks a behaviour:

- "fail-500-echo" / "fail-400-echo": that status, with a body echoing the whole request body
- "fail-429": 429
- "bad-json": 200 whose body is not JSON (and echoes the request)
- "hang": no answer until `release()` or `stop()`
- "stream-hold": one stream event, then wait for `release()`; a client disconnect is counted
  in `disconnects` and sets the `disconnected` threading.Event
- "sse-crlf": a stream framed with \\r\\n line ends and a leading BOM

It keeps per-path request counts, the last Authorization header and the last parsed body per path
in memory only; it writes nothing to disk and has no access log.

    with FakeUpstream() as fake:
        provider = MistralProvider(info, fake.base_url, "key", session, timeout_seconds=5)
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from . import mistral_dialect as mistral
from . import openai_dialect as openai

OPENAI_PREFIX = "/openai"
Builder = Callable[[dict[str, Any]], dict[str, Any]]

_MISTRAL_JSON: dict[str, Builder] = {
    "/v1/chat/completions": mistral.completion,
    "/v1/fim/completions": mistral.completion,
    "/v1/embeddings": mistral.embeddings,
    "/v1/moderations": lambda body: mistral.moderations(body, is_chat=False),
    "/v1/chat/moderations": lambda body: mistral.moderations(body, is_chat=True),
    "/v1/classifications": lambda body: mistral.classifications(body, is_chat=False),
    "/v1/chat/classifications": lambda body: mistral.classifications(body, is_chat=True),
    "/v1/ocr": mistral.ocr,
    "/v1/audio/speech": mistral.speech,
}
_OPENAI_JSON: dict[str, Builder] = {
    "/openai/v1/chat/completions": openai.chat,
    "/openai/v1/completions": openai.text_completion,
    "/openai/v1/embeddings": openai.embeddings,
    "/openai/v1/moderations": openai.moderations,
}
_DATA_STREAMS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "/v1/chat/completions": mistral.completion_chunks,
    "/v1/fim/completions": mistral.completion_chunks,
    "/openai/v1/chat/completions": openai.chat_chunks,
    "/openai/v1/completions": openai.text_completion_chunks,
}
_TRANSCRIPTIONS = ("/v1/audio/transcriptions", "/openai/v1/audio/transcriptions")


class FakeUpstream:
    """A threaded aiohttp server on 127.0.0.1 with an ephemeral port; see the module docstring."""

    def __init__(self) -> None:
        self.requests: collections.Counter[str] = collections.Counter()
        self.last_authorization: str | None = None
        self.last_bodies: dict[str, dict[str, Any]] = {}
        self.disconnects = 0
        self.disconnected = threading.Event()
        self.stream_started = threading.Event()
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None
        self._is_stopping = False
        self._startup_error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.base_url + OPENAI_PREFIX

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> FakeUpstream:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fake-upstream", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeUpstream did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("FakeUpstream failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._is_stopping = True
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    def release(self) -> None:
        """Let every "hang" and "stream-hold" request go on."""
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._release_waiting)

    def _release_waiting(self) -> None:
        # Wake the requests waiting now; later "hang"/"stream-hold" requests wait again.
        if self._release is not None:
            self._release.set()
        self._release = asyncio.Event()

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests[path]

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as error:  # noqa: BLE001 - reported to start() in the caller's thread
            self._startup_error = error
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.close()

    async def _serve(self) -> None:
        self._release = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("POST", "/{path:.*}", self._handle)
        # handler_cancellation: a client disconnect cancels the handler, which is how
        # "stream-hold" and "hang" observe it.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._release is not None:
            self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        with self._lock:
            self.requests[path] += 1
            self.last_authorization = request.headers.get("Authorization")
        raw, body, audio = await _read_request(request, path)
        with self._lock:
            self.last_bodies[path] = body
        model = str(body.get("model") or "")
        try:
            failure = await self._behaviour(model, raw)
        except asyncio.CancelledError:
            self._record_disconnect()
            raise
        if failure is not None:
            return failure
        if path in _TRANSCRIPTIONS:
            return await self._transcription(request, path, body, audio)
        if body.get("stream") is True:
            return await self._stream(request, path, body, model)
        if path == "/openai/v1/audio/speech":
            return web.Response(body=mistral.speech_audio(body), content_type="audio/mpeg")
        builder = _MISTRAL_JSON.get(path) or _OPENAI_JSON.get(path)
        if builder is None:
            return _json({"object": "error", "message": "Not found", "type": "not_found"}, 404)
        return _json(builder(body))

    async def _behaviour(self, model: str, raw: bytes) -> web.Response | None:
        if model in ("fail-500-echo", "fail-400-echo"):
            status = 500 if model == "fail-500-echo" else 400
            echoed = {"object": "error", "message": raw.decode(errors="replace"), "code": None}
            return _json({**echoed, "type": "invalid_request_error"}, status)
        if model == "fail-429":
            return _json({"object": "error", "message": "Rate limit exceeded", "code": "1300"}, 429)
        if model == "bad-json":
            return web.Response(body=b"not json: " + raw, content_type="application/json")
        if model == "hang":
            assert self._release is not None
            await self._release.wait()
        return None

    def _record_disconnect(self) -> None:
        if self._is_stopping:
            return
        with self._lock:
            self.disconnects += 1
        self.disconnected.set()

    async def _stream(
        self, request: web.Request, path: str, body: dict[str, Any], model: str
    ) -> web.StreamResponse:
        events: list[tuple[str | None, dict[str, Any]]]
        data_only = path in _DATA_STREAMS
        if data_only:
            events = [(None, chunk) for chunk in _DATA_STREAMS[path](body)]
        elif path == "/v1/audio/speech":
            events = list(mistral.speech_events(body))
        else:
            return _json({"object": "error", "message": "No stream here"}, 400)
        return await self._send_events(request, events, model, data_only)

    async def _transcription(
        self, request: web.Request, path: str, body: dict[str, Any], audio: bytes
    ) -> web.StreamResponse:
        model = str(body.get("model") or "")
        language = body.get("language")
        if path.startswith(OPENAI_PREFIX):
            return _json(openai.transcription_verbose(audio, language))
        if body.get("stream") == "true":
            events = mistral.transcription_events(model, audio, language)
            return await self._send_events(request, list(events), model, data_only=False)
        return _json(mistral.transcription(model, audio, language))

    async def _send_events(
        self,
        request: web.Request,
        events: list[tuple[str | None, dict[str, Any]]],
        model: str,
        data_only: bool,
    ) -> web.StreamResponse:
        is_crlf = model == "sse-crlf"
        end = b"\r\n" if is_crlf else b"\n"
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        if is_crlf:
            await response.write(b"\xef\xbb\xbf: comment" + end)
        try:
            for index, (event, data) in enumerate(events):
                frame = b"data: " + orjson.dumps(data) + end + end
                if event is not None:
                    frame = b"event: " + event.encode() + end + frame
                await response.write(frame)
                if index == 0 and model == "stream-hold":
                    self.stream_started.set()
                    assert self._release is not None
                    await self._release.wait()
            if data_only:
                await response.write(b"data: [DONE]" + end + end)
        except (asyncio.CancelledError, ConnectionResetError):
            self._record_disconnect()
            raise
        await response.write_eof()
        return response


async def _read_request(request: web.Request, path: str) -> tuple[bytes, dict[str, Any], bytes]:
    """(raw body, parsed fields, uploaded audio) of a JSON or multipart request."""
    if path in _TRANSCRIPTIONS:
        form = await request.post()
        fields: dict[str, Any] = {}
        audio = b""
        for name, value in form.items():
            if isinstance(value, web.FileField):
                audio = value.file.read()
            elif name in fields:
                previous = fields[name]
                values = previous if isinstance(previous, list) else [previous]
                fields[name] = [*values, value]
            else:
                fields[name] = value
        return orjson.dumps(fields) + b" " + audio, fields, audio
    raw = await request.read()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = {}
    return raw, body if isinstance(body, dict) else {}, b""


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")
