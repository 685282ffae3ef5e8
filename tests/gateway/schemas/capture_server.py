"""A tiny HTTP server on 127.0.0.1 that records each request and answers a canned valid body."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}

COMPLETION = {
    "id": "0123456789abcdef0123456789abcdef",
    "object": "chat.completion",
    "created": 1_700_000_000,
    "model": "mistral-small-latest",
    "usage": USAGE,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello.", "tool_calls": None},
            "finish_reason": "stop",
        }
    ],
}

CHUNKS = (
    {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "mistral-small-latest",
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        ],
    },
    {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": {"content": "Hello."}, "finish_reason": "stop"}],
        "usage": USAGE,
    },
)

EMBEDDINGS = {
    "id": "e1",
    "object": "list",
    "model": "mistral-embed",
    "usage": {"prompt_tokens": 4, "completion_tokens": 0, "total_tokens": 4},
    "data": [
        {"object": "embedding", "embedding": [0.1, 0.2], "index": 0},
        {"object": "embedding", "embedding": [0.3, 0.4], "index": 1},
    ],
}

MODERATION = {
    "id": "m1",
    "model": "mistral-moderation-latest",
    "results": [{"categories": {"pii": False}, "category_scores": {"pii": 0.01}}],
}

CLASSIFICATION = {
    "id": "k1",
    "model": "ft:classifier",
    "results": [{"intent": {"scores": {"greeting": 0.9, "other": 0.1}}}],
}

OCR = {
    "pages": [
        {
            "index": 0,
            "markdown": "# Title",
            "images": [],
            "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
        }
    ],
    "model": "mistral-ocr-latest",
    "usage_info": {"pages_processed": 1, "doc_size_bytes": 1024},
}

SPEECH = {"audio_data": "UklGRg=="}

SPEECH_EVENTS = (
    b"event: speech.audio.delta\n"
    + b"data: "
    + orjson.dumps({"type": "speech.audio.delta", "audio_data": "UklGRg=="})
    + b"\n\nevent: speech.audio.done\ndata: "
    + orjson.dumps({"type": "speech.audio.done", "usage": USAGE})
    + b"\n\n"
)

TRANSCRIPTION = {
    "model": "voxtral-mini-latest",
    "text": "Hello.",
    "language": "en",
    "segments": [{"type": "transcription_segment", "text": "Hello.", "start": 0.0, "end": 0.5}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}

JSON_ANSWERS: dict[str, Any] = {
    "/v1/chat/completions": COMPLETION,
    "/v1/fim/completions": COMPLETION,
    "/v1/embeddings": EMBEDDINGS,
    "/v1/moderations": MODERATION,
    "/v1/chat/moderations": MODERATION,
    "/v1/classifications": CLASSIFICATION,
    "/v1/chat/classifications": CLASSIFICATION,
    "/v1/ocr": OCR,
    "/v1/audio/speech": SPEECH,
    "/v1/audio/transcriptions": TRANSCRIPTION,
}


@dataclass
class Captured:
    path: str
    content_type: str
    accept: str
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class CaptureServer:
    url: str
    requests: list[Captured] = field(default_factory=list)

    def last(self) -> Captured:
        return self.requests[-1]


def _handler(server: CaptureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            captured = Captured(
                path=self.path,
                content_type=self.headers.get("content-type", ""),
                accept=self.headers.get("accept", ""),
                body=body,
            )
            server.requests.append(captured)
            if "text/event-stream" in captured.accept and self.path in {
                "/v1/chat/completions",
                "/v1/fim/completions",
            }:
                events = b"".join(b"data: " + orjson.dumps(c) + b"\n\n" for c in CHUNKS)
                self._answer("text/event-stream", events + b"data: [DONE]\n\n")
                return
            if "text/event-stream" in captured.accept and self.path == "/v1/audio/speech":
                self._answer("text/event-stream", SPEECH_EVENTS)
                return
            self._answer("application/json", orjson.dumps(JSON_ANSWERS[self.path]))

        def _answer(self, content_type: str, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def capture_server() -> Iterator[CaptureServer]:
    """Serve on 127.0.0.1:<free port> in a thread for the duration of the block."""
    state = CaptureServer(url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
