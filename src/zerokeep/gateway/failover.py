"""Call a model's deployments in turn until one answers: failover before the first byte.

A deployment that fails with a connection error, a timeout, a 429 or a 5xx is put into
cool-down and the next eligible deployment is tried, up to the router's retry budget. Once a
stream's first event has been read, the response is committed to that deployment: a failure
after it ends the stream with an error event (streaming.relay), never a silent switch.
Only eligible deployments are ever in the list (model_router.attempts fails closed on ZDR).

    result, deployment = await send(router, target, attempts, request_for)
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

from zerokeep.gateway.call import CallMeta
from zerokeep.gateway.model_router import Deployment, ModelRouter
from zerokeep.observability.events import UpstreamFailed, log_event
from zerokeep.providers.base import (
    StreamEvent,
    UpstreamBusy,
    UpstreamError,
    UpstreamOverloaded,
    UpstreamRateLimited,
    UpstreamRequest,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from zerokeep.providers.base import (
    UpstreamFailed as UpstreamAnsweredBadly,
)

# Failures that say nothing about the request itself: another deployment may well succeed.
RETRYABLE = (
    UpstreamUnavailable,
    UpstreamTimeout,
    UpstreamRateLimited,
    UpstreamAnsweredBadly,
    UpstreamOverloaded,
    UpstreamBusy,
)

RequestFor = Callable[[Deployment], UpstreamRequest]


async def send(
    router: ModelRouter, call: CallMeta, attempts: list[Deployment], request_for: RequestFor
) -> tuple[dict[str, Any], Deployment]:
    """The first deployment's answer that is not a retryable failure (or the last failure)."""
    last = len(attempts) - 1
    for number, deployment in enumerate(attempts):
        began = time.perf_counter()
        try:
            return await deployment.provider.send(request_for(deployment)), deployment
        except RETRYABLE as error:
            if number == last:
                raise
            _failed_over(router, call, deployment, error)
        finally:
            call.upstream_seconds += time.perf_counter() - began
    raise AssertionError("attempts is never empty")


async def open_stream(
    router: ModelRouter, call: CallMeta, attempts: list[Deployment], request_for: RequestFor
) -> tuple[AsyncGenerator[StreamEvent, None], StreamEvent | None, Deployment]:
    """A stream whose first event has been read, from the first deployment that gives one."""
    last = len(attempts) - 1
    for number, deployment in enumerate(attempts):
        events = deployment.provider.stream(request_for(deployment))
        began = time.perf_counter()
        try:
            first = await anext(events, None)
        except RETRYABLE as error:
            await events.aclose()
            if number == last:
                raise
            _failed_over(router, call, deployment, error)
            continue
        except BaseException:
            await events.aclose()
            raise
        finally:
            call.upstream_seconds += time.perf_counter() - began
        return events, first, deployment
    raise AssertionError("attempts is never empty")


def _failed_over(
    router: ModelRouter, call: CallMeta, deployment: Deployment, error: UpstreamError
) -> None:
    router.failed(deployment)
    log_event(
        UpstreamFailed(
            error.provider, call.route.value, type(error).__name__, error.upstream_status
        )
    )
