"""The gateway pipeline: authenticate, decide, limit, parse, route, call, record.

One path serves every class: a live call on a stateless route (`handle`) and a call made for
a stored product such as a batch line (`run_line`) take the same steps (decide, limit, route,
call, record); only the endpoint class given to `decide` differs, read from the catalogue.
The retention decision is made once, travels in CallMeta, and is obeyed by the only two sinks
this path has (usage: metadata; archive: only under an ARCHIVE decision). Failures take the
same path, so they obey it too.

    gateway = Gateway(authenticator, limiter, router, usage, archive, clock)
    response = await gateway.handle(request, Route.CHAT_COMPLETIONS)
    outcome = await gateway.run_line(context, Route.EMBEDDINGS, raw, EndpointClass.STATEFUL)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from zerokeep.archive.writer import ArchiveWriter
from zerokeep.auth.authenticator import Authenticator
from zerokeep.auth.context import AuthContext
from zerokeep.errors import (
    InvalidRequest,
    NotFound,
    RateLimited,
    ValidationFailed,
    ZerokeepError,
)
from zerokeep.gateway.call import CALL_SCOPE_KEY, DECISION_SCOPE_KEY, STATUS_CLIENT_CLOSED, CallMeta
from zerokeep.gateway.model_router import ModelRouter, Target
from zerokeep.gateway.parsing import ParsedCall, parse_call
from zerokeep.gateway.ratelimit import RateLimiter
from zerokeep.gateway.streaming import relay
from zerokeep.kit.clock import Clock
from zerokeep.observability.events import UpstreamFailed, log_event
from zerokeep.providers.base import (
    UploadedFile,
    UpstreamError,
    UpstreamRequest,
    build_upstream_request,
)
from zerokeep.retention.catalogue import EndpointClass, Route, class_of
from zerokeep.retention.content import Content
from zerokeep.retention.decision import decide
from zerokeep.usage.recorder import UsageEntry, UsageRecorder


def status_of(error: BaseException) -> int:
    if isinstance(error, ZerokeepError | UpstreamError):
        return error.status_code
    if isinstance(error, asyncio.CancelledError | ClientDisconnect):
        return STATUS_CLIENT_CLOSED
    return 500


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What one stored call produced: a result (200) or an error status and our own message
    (never an upstream body, never the request's content)."""

    status: int
    result: Content[dict[str, Any]] | None
    message: str | None = None


def _safe_message(error: ZerokeepError | UpstreamError) -> str:
    if isinstance(error, ValidationFailed):
        # The details name schema fields only (gateway.schemas.validation_details).
        fields = ", ".join(
            ".".join(str(part) for part in detail.get("loc", ())) + f" ({detail.get('type')})"
            for detail in error.details[:5]
        )
        return f"{error.message[:-1]}: {fields}." if fields else error.message
    if isinstance(error, ZerokeepError):
        return error.message
    return f"The upstream failed ({type(error).__name__})."


# (organization id, user id, file id) -> the organization's stored file, or NotFound.
FileSource = Callable[[str, str | None, str], Awaitable[Content[UploadedFile]]]


class Gateway:
    def __init__(
        self,
        authenticator: Authenticator,
        limiter: RateLimiter,
        router: ModelRouter,
        usage: UsageRecorder,
        archive: ArchiveWriter,
        clock: Clock,
        file_source: FileSource | None = None,
    ) -> None:
        self.authenticator = authenticator
        self.limiter = limiter
        self.router = router
        self.usage = usage
        self.archive = archive
        self.clock = clock
        self.file_source = file_source

    async def handle(self, request: Request, route: Route) -> Response:
        """A live HTTP call on a stateless route (its class read from the catalogue)."""
        call = CallMeta(route)
        request.scope[CALL_SCOPE_KEY] = call
        context = await self.authenticator.authenticate(request.headers.get("authorization"))
        self.decide(call, context, class_of(route))
        request.scope[DECISION_SCOPE_KEY] = call.decision
        parsed: ParsedCall | None = None
        try:
            self.limit(call)
            raw = await request.body()
            parsed = parse_call(route, request.headers.get("content-type"), raw)
            target, upstream_request = await self.route(call, parsed, len(raw))
            if parsed.is_stream:
                call.is_stream = True
                return await self._stream(call, target, upstream_request, parsed)
            result = await self.call(call, target, upstream_request)
            body = orjson.dumps(result)
            self.record(call, parsed, result, len(body))
            # The edge stamps the rate-limit headers on every gateway response, errors included.
            return Response(body, media_type="application/json")
        except BaseException as error:
            self.fail(call, parsed, error)
            raise

    async def run_line(
        self, context: AuthContext, route: Route, raw: bytes, endpoint_class: EndpointClass
    ) -> LineOutcome:
        """One call made on behalf of a stored product (a batch line): the same steps as a live
        call, under the decision for `endpoint_class` (the product's class in the catalogue).
        Never streams; returns the result or the error instead of raising it."""
        call = CallMeta(route)
        self.decide(call, context, endpoint_class)
        parsed: ParsedCall | None = None
        try:
            self.limit(call)
            parsed = parse_call(route, "application/json", raw)
            if parsed.is_stream:
                raise InvalidRequest('Batch requests cannot stream: remove "stream": true.')
            target, upstream_request = await self.route(call, parsed, len(raw))
            result = await self.call(call, target, upstream_request)
            self.record(call, parsed, result, len(orjson.dumps(result)))
            return LineOutcome(200, Content(result))
        except RateLimited as error:
            self.fail(call, parsed, error)
            raise  # not the line's fault: the job retries it later
        except (ZerokeepError, UpstreamError) as error:
            self.fail(call, parsed, error)
            return LineOutcome(error.status_code, None, _safe_message(error))

    def decide(self, call: CallMeta, context: AuthContext, endpoint_class: EndpointClass) -> None:
        call.context = context
        call.decision = decide(context.policy, endpoint_class)

    def limit(self, call: CallMeta) -> None:
        context = call.context
        assert context is not None
        call.rate_headers = self.limiter.admit(
            context.organization_id, context.requests_per_minute, context.tokens_per_minute
        )

    async def route(
        self, call: CallMeta, parsed: ParsedCall, size: int
    ) -> tuple[Target, UpstreamRequest]:
        assert call.context is not None and call.decision is not None
        call.bytes_in = size
        target = self.router.resolve(parsed.model_name, call.route, call.decision)
        call.model = target.model.name
        stored_file = await self._stored_file(call.context, parsed)
        upstream_request = build_upstream_request(
            call.route, target.model.upstream_name, parsed.body, parsed.file, None, stored_file
        )
        return target, upstream_request

    async def call(
        self, call: CallMeta, target: Target, upstream_request: UpstreamRequest
    ) -> dict[str, Any]:
        began = time.perf_counter()
        try:
            result = await target.provider.send(upstream_request)
        finally:
            call.upstream_seconds += time.perf_counter() - began
        if "model" in result:
            result["model"] = target.model.name
        return result

    def record(self, call: CallMeta, parsed: ParsedCall, result: dict[str, Any], size: int) -> None:
        call.status = 200
        call.bytes_out = size
        call.count_usage(result.get("usage"))
        self.finish(call, parsed, Content(result, size=size))

    def fail(self, call: CallMeta, parsed: ParsedCall | None, error: BaseException) -> None:
        call.status = status_of(error)
        if isinstance(error, UpstreamError):
            log_event(
                UpstreamFailed(
                    error.provider, call.route.value, type(error).__name__, error.upstream_status
                )
            )
        self.finish(call, parsed, None)

    async def _stored_file(
        self, context: AuthContext, parsed: ParsedCall
    ) -> Content[UploadedFile] | None:
        if parsed.file_id is None:
            return None
        if self.file_source is None:
            raise NotFound("No such file in this organization.")
        return await self.file_source(context.organization_id, context.user_id, parsed.file_id)

    async def _stream(
        self, call: CallMeta, target: Target, upstream_request: UpstreamRequest, parsed: ParsedCall
    ) -> Response:
        events = target.provider.stream(upstream_request)
        began = time.perf_counter()
        try:
            first = await anext(events, None)
        except BaseException:
            await events.aclose()
            raise
        finally:
            call.upstream_seconds += time.perf_counter() - began
        return StreamingResponse(
            relay(
                call,
                target.model.name,
                events,
                first,
                lambda output: self.finish(call, parsed, output),
            ),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )

    def finish(
        self, call: CallMeta, parsed: ParsedCall | None, output: Content[Any] | None
    ) -> None:
        """Record usage (metadata) and, under an ARCHIVE decision only, the payloads. Once."""
        if call.is_finished or call.context is None:
            return
        call.is_finished = True
        context = call.context
        now = self.clock.now()
        self.limiter.charge_tokens(context.organization_id, call.total_tokens)
        decision = call.decision
        self.usage.record(
            UsageEntry(
                organization_id=context.organization_id,
                api_key_id=context.api_key_id,
                route=call.route.value,
                model=call.model,
                status_code=call.status,
                retention=decision.regime.value if decision else "none",
                prompt_tokens=call.prompt_tokens,
                completion_tokens=call.completion_tokens,
                total_tokens=call.total_tokens,
                latency_ms=int((time.perf_counter() - call.started) * 1000),
                bytes_in=call.bytes_in,
                bytes_out=call.bytes_out,
                is_stream=call.is_stream,
                created_at=now,
            )
        )
        if decision is not None and decision.may_archive and parsed is not None:
            self.archive.submit(
                decision,
                organization_id=context.organization_id,
                route=call.route.value,
                model=call.model,
                status_code=call.status,
                created_at=now,
                request=parsed.body,
                file=parsed.file,
                response=output if output is not None else Content(None),
            )
