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
    # The chat model's context window when the provider knows it (local models).
    context_length: int | None = None


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
    """Base of every upstream failure. Messages are fixed texts, never upstream bodies.

    What an upstream error carries that holds no content is kept: its status class (through the
    subclass), a machine-readable `code` from a known, finite set (http.KNOWN_UPSTREAM_CODES),
    and its `Retry-After` in whole seconds.
    """

    status_code: ClassVar[int] = 502
    error_type: ClassVar[str] = "upstream_error"
    message: ClassVar[str] = "The upstream model server failed to answer."
    # True when the fault is the gateway's own configuration: the message names the provider.
    names_provider: ClassVar[bool] = False

    def __init__(
        self,
        provider: str,
        upstream_status: int | None = None,
        *,
        code: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{type(self).__name__} from provider {provider}")
        self.provider = provider
        self.upstream_status = upstream_status
        self.code = code
        self.retry_after = retry_after
        self.param: str | None = None

    def describe(self) -> str:
        if self.names_provider:
            return f"{self.message} (provider '{self.provider}')"
        return self.message


class UpstreamTimeout(UpstreamError):
    status_code = 504
    error_type = "upstream_timeout"
    message = "The upstream model server did not answer in time."


class UpstreamUnavailable(UpstreamError):
    status_code = 502
    error_type = "upstream_unavailable"
    message = "The upstream model server could not be reached."


class UpstreamRejected(UpstreamError):
    """The upstream answered 400/422 (or another client-class status): the request was not
    acceptable to it. `code` says why when the upstream said so in a known way."""

    status_code = 400
    error_type = "upstream_rejected"
    message = "The upstream model server rejected the request."


class ContextLengthExceeded(UpstreamRejected):
    """The prompt (plus max_tokens) does not fit the model's context window."""

    error_type = "invalid_request_error"
    message = (
        "The prompt is longer than the model's context window: shorten the messages or "
        "lower max_tokens."
    )

    def __init__(self, provider: str, upstream_status: int | None = None) -> None:
        super().__init__(provider, upstream_status, code="context_length_exceeded")


class UpstreamAuthFailed(UpstreamError):
    """The upstream refused the gateway's own credentials (401/403): an operator must act."""

    status_code = 502
    error_type = "upstream_auth_failed"
    message = "The upstream refused this deployment's credentials; an operator must fix them"
    names_provider = True


class UpstreamNotFound(UpstreamError):
    """The upstream answered 404: a wrong base_url or upstream model name in the configuration."""

    status_code = 502
    error_type = "upstream_not_found"
    message = (
        "The upstream does not know this model or path; an operator must check the provider's "
        "base_url and the model's upstream_model"
    )
    names_provider = True


class UpstreamRateLimited(UpstreamError):
    status_code = 429
    error_type = "upstream_rate_limited"
    message = "The upstream model server is rate limiting this deployment; retry later."


class UpstreamFailed(UpstreamError):
    """The upstream answered 500/502 or an unreadable body."""

    status_code = 502
    error_type = "upstream_failed"
    message = "The upstream model server failed while answering."


class MalformedUpstreamAnswer(UpstreamError):
    """A 2xx answer whose shape the Mistral SDK could not read; never relayed."""

    status_code = 502
    error_type = "upstream_malformed_answer"
    message = "The upstream answered in a shape this gateway cannot relay"
    names_provider = True


class UpstreamOverloaded(UpstreamError):
    """The upstream answered 503: it is up but cannot take this request now."""

    status_code = 503
    error_type = "upstream_overloaded"
    message = "The upstream model server is overloaded; retry shortly."


class UpstreamBusy(UpstreamError):
    """A local model's queue is full: retry after `retry_after` seconds."""

    status_code = 503
    error_type = "model_busy"
    message = "The model is busy; retry shortly."

    def __init__(self, provider: str, retry_after: int = 1) -> None:
        super().__init__(provider, retry_after=retry_after)


class RouteNotSupported(UpstreamError):
    """The chosen upstream cannot serve this route (e.g. OCR on a vLLM server)."""

    status_code = 400
    error_type = "route_not_supported"
    message = "The model's upstream does not serve this route."


class FieldNotSupported(UpstreamError):
    """A request field the upstream has no equivalent for: never dropped silently.

    `field` is a schema word (a field name or a fixed value label), never client text.
    """

    status_code = 400
    error_type = "invalid_request_error"
    message = "A request field is not supported by the model's upstream."

    def __init__(self, provider: str, field: str) -> None:
        super().__init__(provider, code="unsupported_field")
        self.field = field
        self.param = field

    def describe(self) -> str:
        return (
            f"'{self.field}' is not supported by provider '{self.provider}' (an "
            "OpenAI-compatible server has no equivalent): remove it, or use a model served by "
            "a Mistral upstream."
        )


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
            # The upstream does not hold our files, so the id never reaches it.
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
