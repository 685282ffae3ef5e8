"""The provider protocol and the typed errors every provider maps its failures to.

A provider turns one validated, Mistral-shaped request into a Mistral-shaped response. Upstream
failures are mapped here, once, to errors that carry no upstream body: an upstream 4xx/5xx body
often echoes the prompt (LiteLLM stored such bodies in its spend logs; see
reference/retention-anchors.md), so it is read, dropped, and never logged.

    class EchoProvider:
        name = "echo"
        retention_days = None
        def supports(self, route): return route is Route.EMBEDDINGS
        async def send(self, request): ...
        def stream(self, request): ...
"""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from zerokeep.retention.catalogue import Route
from zerokeep.retention.content import Content


@dataclass(frozen=True, slots=True, repr=False)
class UploadedFile:
    """A file part of a multipart request (transcription audio)."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"<UploadedFile {len(self.data)} bytes, redacted>"


@dataclass(frozen=True, slots=True, repr=False)
class UpstreamRequest:
    """One call to an upstream: the route, the upstream's model name, and the body.

    `body` is the validated Mistral-shaped request (JSON-compatible dict) with `model` already
    replaced by the upstream model name. It holds content: never log it.
    """

    route: Route
    model: str
    body: dict[str, Any]
    file: UploadedFile | None = None
    timeout_seconds: float | None = None

    def __repr__(self) -> str:
        return f"<UpstreamRequest {self.route.value} model={self.model} body=redacted>"


@dataclass(frozen=True, slots=True, repr=False)
class StreamEvent:
    """One server-sent event of a Mistral stream.

    `event` is None for chat/FIM (data-only framing ending with `data: [DONE]`, added by the
    gateway) and the event type for speech and transcription streams.
    """

    data: dict[str, Any]
    event: str | None = None

    def __repr__(self) -> str:
        return f"<StreamEvent {self.event or 'data'} redacted>"


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    kind: str
    retention_days: int | None  # None: the upstream declares it keeps nothing
    routes: frozenset[Route] = field(default_factory=frozenset)


class Provider(Protocol):
    """What the gateway needs from an upstream."""

    info: ProviderInfo

    def supports(self, route: Route) -> bool: ...

    async def send(self, request: UpstreamRequest) -> dict[str, Any]:
        """Return the Mistral-shaped JSON response."""
        ...

    def stream(self, request: UpstreamRequest) -> AsyncGenerator[StreamEvent, None]:
        """Yield Mistral-shaped stream events as they arrive."""
        ...

    async def aclose(self) -> None: ...


class UpstreamError(Exception):
    """Base of every upstream failure. Messages are fixed texts, never upstream bodies."""

    status_code: ClassVar[int] = 502
    error_type: ClassVar[str] = "upstream_error"
    message: ClassVar[str] = "The upstream model server failed to answer."

    def __init__(self, provider: str, upstream_status: int | None = None) -> None:
        super().__init__(f"{type(self).__name__} from provider {provider}")
        self.provider = provider
        self.upstream_status = upstream_status


class UpstreamTimeout(UpstreamError):
    status_code = 504
    error_type = "upstream_timeout"
    message = "The upstream model server did not answer in time."


class UpstreamUnavailable(UpstreamError):
    status_code = 502
    error_type = "upstream_unavailable"
    message = "The upstream model server could not be reached."


class UpstreamRejected(UpstreamError):
    """The upstream answered 4xx: the request was not acceptable to it."""

    status_code = 400
    error_type = "upstream_rejected"
    message = "The upstream model server rejected the request."


class UpstreamRateLimited(UpstreamError):
    status_code = 429
    error_type = "upstream_rate_limited"
    message = "The upstream model server is rate limiting this deployment; retry later."


class UpstreamFailed(UpstreamError):
    """The upstream answered 5xx or an unreadable body."""

    status_code = 502
    error_type = "upstream_failed"
    message = "The upstream model server failed while answering."


class UpstreamBusy(UpstreamError):
    """A local model's queue is full: retry after `retry_after` seconds."""

    status_code = 503
    error_type = "model_busy"
    message = "The model is busy; retry shortly."

    def __init__(self, provider: str, retry_after: int = 1) -> None:
        super().__init__(provider)
        self.retry_after = retry_after


class RouteNotSupported(UpstreamError):
    """The chosen upstream cannot serve this route (e.g. OCR on a vLLM server)."""

    status_code = 400
    error_type = "route_not_supported"
    message = "The model's upstream does not serve this route."


def build_upstream_request(
    route: Route,
    upstream_model: str,
    body: Content[dict[str, Any]],
    file: Content[UploadedFile] | None,
    timeout_seconds: float | None = None,
    stored_file: Content[UploadedFile] | None = None,
) -> UpstreamRequest:
    """Unwrap the call's content for the upstream: one of the few places allowed to expose().

    `stored_file` is the organization's own file a `file_id` named: an upstream cannot read
    zerokeep's file store, so it goes inline (OCR: a data URL; transcription: the audio part).
    """
    upstream_body = dict(body.expose())
    upstream_body["model"] = upstream_model
    upload = file.expose() if file is not None else None
    if stored_file is not None:
        resolved = stored_file.expose()
        if route is Route.OCR:
            upstream_body["document"] = _inline_document(resolved)
        else:
            upstream_body.pop("file_id", None)
            upload = resolved
    return UpstreamRequest(
        route=route,
        model=upstream_model,
        body=upstream_body,
        file=upload,
        timeout_seconds=timeout_seconds,
    )


def _inline_document(stored: UploadedFile) -> dict[str, str]:
    url = f"data:{stored.content_type};base64,{base64.b64encode(stored.data).decode()}"
    if stored.content_type.startswith("image/"):
        return {"type": "image_url", "image_url": url}
    return {"type": "document_url", "document_url": url, "document_name": stored.filename}
