"""The gateway pipeline: authenticate, decide, limit, parse, route, call, record.

One path serves every stateless route; the retention decision is made once, travels in
CallMeta, and is obeyed by the only two sinks this path has (usage: metadata; archive: only
under an ARCHIVE decision). Failures take the same path, so they obey it too.

    gateway = Gateway(authenticator, limiter, router, usage, archive, clock)
    response = await gateway.handle(request, Route.CHAT_COMPLETIONS)
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from zerokeep.archive.writer import ArchiveWriter
from zerokeep.auth.authenticator import Authenticator
from zerokeep.errors import PermissionDenied, ZerokeepError
from zerokeep.gateway import failover
from zerokeep.gateway.call import CALL_SCOPE_KEY, DECISION_SCOPE_KEY, STATUS_CLIENT_CLOSED, CallMeta
from zerokeep.gateway.file_source import FileSource, NoFileSource
from zerokeep.gateway.model_router import Deployment, ModelRouter, Target
from zerokeep.gateway.parsing import ParsedCall, parse_call
from zerokeep.gateway.ratelimit import RateLimiter
from zerokeep.gateway.streaming import relay
from zerokeep.kit.clock import Clock
from zerokeep.observability.events import UpstreamFailed, log_event
from zerokeep.providers.base import UpstreamError, UpstreamRequest, build_upstream_request
from zerokeep.retention.catalogue import EndpointClass, Route
from zerokeep.retention.content import Content
from zerokeep.retention.decision import decide
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


class Gateway:
    def __init__(
        self,
        authenticator: Authenticator,
        limiter: RateLimiter,
        router: ModelRouter,
        usage: UsageRecorder,
        archive: ArchiveWriter,
        clock: Clock,
        files: FileSource | None = None,
    ) -> None:
        self.files: FileSource = files or NoFileSource()
        self.authenticator = authenticator
        self.limiter = limiter
        self.router = router
        self.usage = usage
        self.archive = archive
        self.clock = clock

    async def handle(self, request: Request, route: Route) -> Response:
        call = CallMeta(route)
        request.scope[CALL_SCOPE_KEY] = call
        call.context = await self.authenticator.authenticate(request.headers.get("authorization"))
        call.decision = decide(call.context.policy, EndpointClass.STATELESS)
        request.scope[DECISION_SCOPE_KEY] = call.decision
        parsed: ParsedCall | None = None
        try:
            context = call.context
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
            raw = await request.body()
            call.bytes_in = len(raw)
            parsed = parse_call(route, request.headers.get("content-type"), raw)
            target = self.router.resolve(parsed.model_name, route, call.decision)
            call.model = target.model.name
            if limits is not None and not limits.allows(target.model.name):
                raise ModelNotAllowed()
            attempts = self.router.attempts(target, route, call.decision)
            if parsed.file_id is not None:
                parsed = await self._attach_file(context.organization_id, parsed)
            if parsed.is_stream:
                call.is_stream = True
                return await self._stream(call, target, attempts, parsed)
            return await self._send(call, target, attempts, parsed)
        except BaseException as error:
            call.status = status_of(error)
            if isinstance(error, UpstreamError):
                log_event(
                    UpstreamFailed(
                        error.provider, route.value, type(error).__name__, error.upstream_status
                    )
                )
            self.finish(call, parsed, None)
            raise

    async def _attach_file(self, organization_id: str, parsed: ParsedCall) -> ParsedCall:
        """Replace a transcription's `file_id` by the organization's file itself."""
        assert parsed.file_id is not None
        upload = await self.files.audio(organization_id, parsed.file_id)
        # build_upstream_request drops `file_id` from the body when a file is attached.
        return dataclasses.replace(
            parsed, file=Content(upload, size=len(upload.data)), file_id=None
        )

    async def _send(
        self, call: CallMeta, target: Target, attempts: list[Deployment], parsed: ParsedCall
    ) -> Response:
        result, _ = await failover.send(self.router, call, attempts, _request_for(call, parsed))
        if "model" in result:
            result["model"] = target.model.name
        body = orjson.dumps(result)
        call.status = 200
        call.bytes_out = len(body)
        call.count_usage(result.get("usage"))
        self.finish(call, parsed, Content(result, size=len(body)))
        # The edge stamps the rate-limit headers on every gateway response, errors included.
        return Response(body, media_type="application/json")

    async def _stream(
        self, call: CallMeta, target: Target, attempts: list[Deployment], parsed: ParsedCall
    ) -> Response:
        events, first, _ = await failover.open_stream(
            self.router, call, attempts, _request_for(call, parsed)
        )
        return StreamingResponse(
            relay(
                call,
                target.model.name,
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


def _request_for(call: CallMeta, parsed: ParsedCall) -> failover.RequestFor:
    def request_for(deployment: Deployment) -> UpstreamRequest:
        return build_upstream_request(
            call.route, deployment.upstream_model, parsed.body, parsed.file
        )

    return request_for
