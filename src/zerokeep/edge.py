"""The process edge: one pure-ASGI middleware around everything.

It bounds request bodies (413), stamps every response with `zerokeep-retention` (the regime
applied) and `zerokeep-overhead-ms` (time spent in the gateway itself, upstream excluded),
writes the access log from typed metadata, and is the last resort for unexpected exceptions:
it logs their type and location, never their message (which may quote content).

POSTs to the stateless routes go straight from here to the gateway pipeline (`hot_path`): the
hot path skips the framework's router and exception middleware (errors are rendered the same
way). The app builds it from the same route table as its router, wrapped in the same user
middleware (app.ZerokeepApp.build_middleware_stack), so added middleware sees both paths.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zerokeep.errors import PayloadTooLarge, render_error
from zerokeep.gateway.call import CALL_SCOPE_KEY, DECISION_SCOPE_KEY
from zerokeep.observability.events import AccessLogged, UnhandledError, log_event, logger
from zerokeep.observability.logging_setup import innermost_frame
from zerokeep.retention.catalogue import EndpointClass, classify_path

RETENTION_HEADER = "zerokeep-retention"
OVERHEAD_HEADER = "zerokeep-overhead-ms"


@dataclass(frozen=True, slots=True)
class HotPath:
    """Which requests skip the router (`serves`) and the ASGI app that serves them."""

    serves: Callable[[Scope], bool]
    app: ASGIApp


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        access_log: bool = True,
        hot_path: HotPath | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.access_log = access_log
        self.hot_path = hot_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                # Only the edge sets these headers, so they are appended, not searched for.
                headers = MutableHeaders(scope=message)
                headers.append(RETENTION_HEADER, _retention_value(scope))
                call = scope.get(CALL_SCOPE_KEY)
                if call is not None:
                    for name, value in call.rate_headers.items():
                        headers.append(name, value)
                overhead = call.overhead_ms() if call else (time.perf_counter() - started) * 1000
                headers.append(OVERHEAD_HEADER, f"{overhead:.3f}")
            await send(message)

        try:
            if _declared_length(scope) > self.max_body_bytes:
                await render_error(PayloadTooLarge())(scope, receive, send_stamped)
                return
            hot = self.hot_path
            served_by = hot.app if hot is not None and hot.serves(scope) else self.app
            await served_by(scope, self._bounded(receive), send_stamped)
        except ClientDisconnect:
            state["status"] = 499  # the client went away before sending its whole body
        except Exception as error:  # noqa: BLE001 - the process edge: log type and place only
            log_event(UnhandledError(type(error).__name__, innermost_frame(error)))
            if not state["started"]:
                await render_error(error)(scope, receive, send_stamped)
        finally:
            # Checked here so the record is not even built when access logs are off.
            if self.access_log and logger.isEnabledFor(logging.INFO):
                self._log(scope, state["status"], started)

    def _bounded(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge()
            return message

        return bounded_receive

    def _log(self, scope: Scope, status: int, started: float) -> None:
        call = scope.get(CALL_SCOPE_KEY)
        context = call.context if call else None
        log_event(
            AccessLogged(
                method=scope["method"],
                route=_route_template(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                organization_id=context.organization_id if context else None,
                retention=_retention_value(scope),
            )
        )


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _retention_value(scope: Scope) -> str:
    decision = scope.get(DECISION_SCOPE_KEY)
    if decision is not None:
        return str(decision.header_value)
    endpoint_class = classify_path(scope["path"])
    if endpoint_class is EndpointClass.CONTROL:
        return "metadata"
    if endpoint_class is EndpointClass.STATEFUL:
        return "stateful"
    return "none"


def _route_template(scope: Scope) -> str:
    """The matched route's template: a raw path can carry client text, so it is never logged."""
    call = scope.get(CALL_SCOPE_KEY)
    if call is not None:
        return str(call.route.value)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"
