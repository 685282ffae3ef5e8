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
    PermissionDenied,
    RateLimited,
    ValidationFailed,
    ZerokeepError,
)
from zerokeep.gateway import failover
from zerokeep.gateway.call import CALL_SCOPE_KEY, DECISION_SCOPE_KEY, STATUS_CLIENT_CLOSED, CallMeta
from zerokeep.gateway.file_source import FileSource
from zerokeep.gateway.model_router import Deployment, ModelRouter, Target
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
from zerokeep.usage.budget import BudgetSpent
from zerokeep.usage.recorder import UsageEntry, UsageRecorder

_UNLIMITED = 1 << 62
KEY_RATE_LIMITED = (
    "Rate limit exceeded for this API key (its own requests or tokens per minute); retry "
    "after the time in Retry-After, or ask an admin to raise the key's limits."
)


class ModelNotAllowed(PermissionDenied):
    code = "model_not_allowed"
    default_message = (
        "This API key may not use this model: its model allow-list does not include it. Use "
        "another model, or ask an admin for a key that allows it."
    )


def _key_scope(api_key_id: str) -> str:
    return "key:" + api_key_id


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


@dataclass(frozen=True, slots=True, repr=False)
class Routed:
    """Where a call goes: the model's target, the deployments to try in order, and the
    organization's own file a `file_id` named (sent inline; never the id)."""

    target: Target
    attempts: list[Deployment]
    stored_file: Content[UploadedFile] | None

    def request_for(self, call: CallMeta, parsed: ParsedCall) -> failover.RequestFor:
        stored_file = self.stored_file

        def request_for(deployment: Deployment) -> UpstreamRequest:
            return build_upstream_request(
                call.route, deployment.upstream_model, parsed.body, parsed.file, None, stored_file
            )

        return request_for


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
            call.bytes_in = len(raw)
            parsed = parse_call(route, request.headers.get("content-type"), raw)
            routed = await self.route(call, parsed)
            if parsed.is_stream:
                call.is_stream = True
                return await self._stream(call, routed, parsed)
            result = await self.call(call, routed, parsed)
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
            call.bytes_in = len(raw)
            parsed = parse_call(route, "application/json", raw)
            if parsed.is_stream:
                raise InvalidRequest('Batch requests cannot stream: remove "stream": true.')
            routed = await self.route(call, parsed)
            result = await self.call(call, routed, parsed)
            self.record(call, parsed, result, len(orjson.dumps(result)))
            return LineOutcome(200, Content(result))
        except BudgetSpent as error:
            # Spent until next month: waiting would not help, the line fails with the reason.
            self.fail(call, parsed, error)
            return LineOutcome(error.status_code, None, _safe_message(error))
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
        """The organization's rate, its and the key's monthly budget, the key's own rates."""
        context = call.context
        assert context is not None
        call.rate_headers = self.limiter.admit(
            context.organization_id, context.requests_per_minute, context.tokens_per_minute
        )
        if context.budget is not None:
            context.budget.check(self.clock.now())
        limits = context.key_limits
        if limits is not None and limits.has_rates:
            self.limiter.admit(
                _key_scope(context.api_key_id),
                limits.requests_per_minute or _UNLIMITED,
                limits.tokens_per_minute or _UNLIMITED,
                KEY_RATE_LIMITED,
            )

    async def route(self, call: CallMeta, parsed: ParsedCall) -> Routed:
        """The model's deployments the decision allows (in failover order), the key's model
        allow-list, and the organization's own file when the call names one by `file_id`."""
        context = call.context
        assert context is not None and call.decision is not None
        target = self.router.resolve(parsed.model_name, call.route, call.decision)
        call.model = target.model.name
        limits = context.key_limits
        if limits is not None and not limits.allows(target.model.name):
            raise ModelNotAllowed()
        attempts = self.router.attempts(target, call.route, call.decision)
        stored_file = await self._stored_file(context, parsed)
        return Routed(target, attempts, stored_file)

    async def call(self, call: CallMeta, routed: Routed, parsed: ParsedCall) -> dict[str, Any]:
        """The first deployment's answer (failover before the first byte)."""
        result, _ = await failover.send(
            self.router, call, routed.attempts, routed.request_for(call, parsed)
        )
        if "model" in result:
            result["model"] = routed.target.model.name
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

    async def _stream(self, call: CallMeta, routed: Routed, parsed: ParsedCall) -> Response:
        events, first, _ = await failover.open_stream(
            self.router, call, routed.attempts, routed.request_for(call, parsed)
        )
        return StreamingResponse(
            relay(
                call,
                routed.target.model.name,
                events,
                first,
                lambda output: self.finish(call, parsed, output),
                wants_usage=parsed.wants_usage,
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
        if context.key_limits is not None and context.key_limits.has_rates:
            self.limiter.charge_tokens(_key_scope(context.api_key_id), call.total_tokens)
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
