"""The deployment's `/metrics` output, if it serves one (a 404 is recorded as not enabled)."""

from __future__ import annotations

import asyncio
import http.client

from zerokeep.retention_audit.rawhttp import RawHttp
from zerokeep.retention_audit.sinks.base import ScanContext, SinkResult, SinkStatus


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("metrics", "http")
    try:
        response = await asyncio.to_thread(RawHttp(context.base_url).request, "GET", "/metrics")
    except (OSError, http.client.HTTPException) as error:
        return [result.skip(SinkStatus.ERROR, f"GET /metrics failed: {type(error).__name__}")]
    if response.status == 404:
        return [result.skip(SinkStatus.NOT_ENABLED, "GET /metrics: 404, metrics not enabled")]
    result.scanned.bytes = len(response.body)
    result.scanned.rows = response.body.count(b"\n")
    result.notes.append(f"GET /metrics: {response.status}")
    result.add_hits("/metrics", context.scanner.scan_bytes(response.body))
    return [result]
