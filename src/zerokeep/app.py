"""create_app(): the lifespan (engine, HTTP client, providers, background jobs) and the
middleware stack, in one visible place.

    app = create_app(load_settings())
    uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from zerokeep import __version__, invalidation
from zerokeep.api_key import service as api_key_service
from zerokeep.api_key.limits import KeyLimits
from zerokeep.archive.writer import ArchiveWriter
from zerokeep.auth.authenticator import Authenticator
from zerokeep.auth.context import AuthContext
from zerokeep.batch.routes import router as batch_router
from zerokeep.blobs import blob_store_from_settings
from zerokeep.config import Settings
from zerokeep.console.app import create_console
from zerokeep.db import JOBS_EMBEDDED, create_engine, read_only, session_factory
from zerokeep.edge import Edge, HotPath
from zerokeep.errors import (
    MethodNotAllowed,
    NotFound,
    ValidationFailed,
    ZerokeepError,
    render_error,
)
from zerokeep.files.routes import router as files_router
from zerokeep.files.source import file_source
from zerokeep.gateway.model_router import ModelRouter
from zerokeep.gateway.openapi import add_data_plane, mount_docs
from zerokeep.gateway.pipeline import Gateway
from zerokeep.gateway.ratelimit import RateLimiter
from zerokeep.gateway.routes import (
    connectors_router,
    is_stateless_call,
    serve_stateless,
    stateless_routes,
)
from zerokeep.gateway.routes import router as models_router
from zerokeep.gateway.schemas.errors import safe_details
from zerokeep.jobs import JobEnvironment, load_registry
from zerokeep.jobs.embedded import EmbeddedRunner
from zerokeep.jobs.enqueue import JOBS_WAKE
from zerokeep.jobs.registry import TASK_MODULES
from zerokeep.keys import key_service_from_settings
from zerokeep.kit.clock import Clock, SystemClock
from zerokeep.lifecycle.routes import router as lifecycle_router
from zerokeep.lifecycle.storage import FileStorage
from zerokeep.observability.logging_setup import silence_content_loggers
from zerokeep.organization import service as organization_service
from zerokeep.organization_api.api_keys import router as api_keys_router
from zerokeep.organization_api.usage import router as usage_router
from zerokeep.privacy.routes import router as privacy_router
from zerokeep.providers.base import Provider, UpstreamError
from zerokeep.providers.registry import build_providers
from zerokeep.secret import load_keys
from zerokeep.state import AppState
from zerokeep.trust.routes import router as trust_router
from zerokeep.usage.budget import budget_for
from zerokeep.usage.recorder import UsageRecorder
from zerokeep.zdr_request.routes import router as zdr_request_router
from zerokeep.zdr_request.routes import staff_router as zdr_staff_router


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    providers: dict[str, Provider] | None = None,
    run_jobs: bool = True,
) -> FastAPI:
    """Build the ASGI app. `providers` overrides the configured ones (tests); `run_jobs=False`
    leaves background jobs (purge, email delivery) to the caller. Jobs run here only on the
    embedded engine: with ZEROKEEP_JOBS_ENGINE=procrastinate, `zerokeep worker` runs them."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await _start(settings, clock or SystemClock(), providers)
        app.state.zerokeep = state
        jobs = _start_jobs(state) if run_jobs else None
        try:
            yield
        finally:
            if jobs is not None:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            await _stop(state, close_providers=providers is None)

    silence_content_loggers()
    app = ZerokeepApp(
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_file_bytes,
        title="zerokeep",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # gateway/openapi.mount_docs serves it without a CDN
        redoc_url=None,
        # FastAPI's built-in OpenTelemetry would record exception messages (which can quote
        # content) in spans and logs the moment a deployment configures a tracer: a door
        # around invariant 1. Traces, if ever, come from typed events like the logs do.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.router.routes.extend(stateless_routes())
    app.include_router(models_router)
    app.include_router(connectors_router)
    app.include_router(api_keys_router)
    app.include_router(usage_router)
    mount_docs(app)
    app.include_router(privacy_router)
    app.include_router(files_router)
    app.include_router(batch_router)
    app.include_router(lifecycle_router)
    app.include_router(zdr_request_router)
    app.include_router(zdr_staff_router)
    app.include_router(trust_router)
    app.mount("/console", create_console(lambda: app.state.zerokeep))
    _install_error_handlers(app)
    return app


class ZerokeepApp(FastAPI):
    """FastAPI with the Edge outermost: its body limit, headers and last-resort error handling
    cover everything, and stateless calls skip the framework's router and exception middleware.
    Middleware added with `add_middleware` wraps both paths: the hot path is built here, from
    the same route table as the router (gateway/routes.py), inside the same user middleware."""

    def __init__(self, *, max_body_bytes: int, max_upload_bytes: int, **options: Any) -> None:
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        hot: ASGIApp = serve_stateless
        for cls, args, kwargs in reversed(self.user_middleware):
            hot = cls(hot, *args, **kwargs)
        return Edge(
            super().build_middleware_stack(),
            max_body_bytes=self.max_body_bytes,
            hot_path=HotPath(serves=is_stateless_call, app=hot),
            max_upload_bytes=self.max_upload_bytes,
        )

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = add_data_plane(super().openapi())
        return self.openapi_schema


async def _start(
    settings: Settings, clock: Clock, provider_overrides: dict[str, Provider] | None
) -> AppState:
    engine = create_engine(settings.resolved_database_url)
    hooks: dict[str, Callable[[], None]] = {}
    sessions = session_factory(engine, hooks=hooks, jobs_engine=settings.jobs_engine, clock=clock)
    keys = load_keys(settings)
    key_service = key_service_from_settings(
        settings, legacy_wrapping_key=keys.key_wrapping, clock=clock
    )
    blob_store = blob_store_from_settings(settings)
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=60),
        auto_decompress=False,
    )
    providers = provider_overrides or build_providers(settings, http)

    async def lookup(key_hash: str) -> AuthContext | None:
        async with read_only(sessions) as session:
            from zerokeep.api_key.repository import find_active_by_hash

            found = await find_active_by_hash(session, key_hash)
            if found is None:
                return None
            api_key, organization = found
            budget = await budget_for(
                session,
                clock.now(),
                organization.id,
                organization.monthly_token_budget,
                api_key.id,
                api_key.monthly_token_budget,
            )
        return AuthContext(
            api_key_id=api_key.id,
            organization_id=organization.id,
            user_id=api_key.user_id,
            policy=organization_service.to_policy(organization),
            requests_per_minute=organization.requests_per_minute
            or settings.default_requests_per_minute,
            tokens_per_minute=organization.tokens_per_minute or settings.default_tokens_per_minute,
            key_limits=KeyLimits.of(
                api_key.allowed_models,
                api_key.requests_per_minute,
                api_key.tokens_per_minute,
                api_key.monthly_token_budget,
            ),
            budget=budget,
        )

    usage = UsageRecorder(sessions)
    archive = ArchiveWriter(sessions, key_service)
    files = FileStorage(blob_store, key_service)
    gateway = Gateway(
        Authenticator(lookup, lambda token: api_key_service.digest(keys.api_key_hmac, token)),
        RateLimiter(clock),
        ModelRouter(settings.models, providers, settings.routing),
        usage,
        archive,
        clock,
        file_source(sessions, files, settings.max_body_bytes),
    )
    usage.batcher.start()
    archive.batcher.start()
    state = AppState(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        keys=keys,
        key_service=key_service,
        blob_store=blob_store,
        http=http,
        providers=providers,
        gateway=gateway,
        files=files,
        hooks=hooks,
    )
    hooks[invalidation.POLICY_CHANGED] = state.policy_changed
    return state


def _start_jobs(state: AppState) -> asyncio.Task[None] | None:
    """The embedded runner, woken after every commit that queued a job."""
    settings = state.settings
    if settings.jobs_engine != JOBS_EMBEDDED:
        return None
    environment = JobEnvironment(
        settings, state.clock, state.engine, state.sessions, state.key_service, state
    )
    registry = load_registry(TASK_MODULES + tuple(settings.jobs_task_modules))
    runner = EmbeddedRunner(
        registry, environment, lease=timedelta(seconds=settings.jobs_lease_seconds)
    )
    state.hooks[JOBS_WAKE] = runner.wake
    return asyncio.create_task(runner.run_forever())


async def _stop(state: AppState, close_providers: bool) -> None:
    await state.gateway.usage.batcher.stop()
    await state.gateway.archive.batcher.stop()
    if close_providers:
        for provider in state.providers.values():
            await provider.aclose()
    await state.http.close()
    await state.blob_store.aclose()
    await state.engine.dispose()


# For `zerokeep worker`: the same parts as serve's, so jobs (batch lines) reach the gateway.
start_state = _start
stop_state = _stop


def _install_error_handlers(app: FastAPI) -> None:
    async def zerokeep_error(_: Request, error: Exception) -> Response:
        return render_error(error)

    async def http_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == 404:
            return render_error(NotFound("No such route; see /docs for the API."))
        if error.status_code == 405:
            return render_error(MethodNotAllowed(), headers=dict(error.headers or {}))
        return render_error(ZerokeepError("The request could not be served."))

    async def request_validation_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return render_error(ValidationFailed(safe_details(error.errors(), _schema_words(app))))

    app.add_exception_handler(ZerokeepError, zerokeep_error)
    app.add_exception_handler(UpstreamError, zerokeep_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)


def _schema_words(app: FastAPI) -> frozenset[str]:
    """Words a control-plane validation error may name in its `loc`: the property names and
    enum values of the API's own schemas. Anything else there came from the client."""
    cached: frozenset[str] | None = getattr(app.state, "schema_words", None)
    if cached is None:
        words = {"body", "query", "path", "header", "cookie"}
        for schema in app.openapi().get("components", {}).get("schemas", {}).values():
            words.update(schema.get("properties", {}))
            words.update(value for value in schema.get("enum", []) if isinstance(value, str))
        cached = frozenset(words)
        app.state.schema_words = cached
    return cached
