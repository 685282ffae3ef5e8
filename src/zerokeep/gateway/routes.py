"""HTTP routes of the data plane: the ten stateless routes (thin) and the model list.

`STATELESS_ROUTES` is the one table of the stateless endpoints. The app's router registers them
from it (so other methods get 405), and the edge's hot path (edge.py) serves POSTs to them from
it too, through the same user middleware as the router (app.ZerokeepApp builds both).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from zerokeep.dependencies import ApiKeyDep, StateDep
from zerokeep.errors import NotFound, PermissionDenied, ZerokeepError, render_error
from zerokeep.gateway.model_router import Target
from zerokeep.providers.base import UpstreamError
from zerokeep.retention.catalogue import STATELESS_ENDPOINTS, Route
from zerokeep.state import AppState

STATELESS_ROUTES: dict[str, Route] = {
    endpoint.path: Route(endpoint.path) for endpoint in STATELESS_ENDPOINTS
}

_CAPABILITIES: dict[Route, tuple[str, ...]] = {
    Route.CHAT_COMPLETIONS: ("completion_chat",),
    Route.FIM_COMPLETIONS: ("completion_fim",),
    Route.EMBEDDINGS: (),
    Route.MODERATIONS: ("moderation",),
    Route.CHAT_MODERATIONS: ("moderation",),
    Route.CLASSIFICATIONS: ("classification",),
    Route.CHAT_CLASSIFICATIONS: ("classification",),
    Route.OCR: ("ocr",),
    Route.AUDIO_SPEECH: ("audio", "audio_speech"),
    Route.AUDIO_TRANSCRIPTIONS: ("audio", "audio_transcription"),
}
_CREATED = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


def _endpoint(route: Route) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await request.app.state.zerokeep.gateway.handle(request, route)  # type: ignore[no-any-return]

    endpoint.__name__ = "stateless_" + route.value.strip("/").replace("/", "_")
    return endpoint


def stateless_routes() -> list[StarletteRoute]:
    """The ten routes in the router, so other methods get 405. POSTs never get here in the app:
    the edge's hot path (`serve_stateless`) hands them to the gateway first; these endpoints do
    the same if mounted without it."""
    return [
        StarletteRoute(path, _endpoint(route), methods=["POST"])
        for path, route in STATELESS_ROUTES.items()
    ]


def is_stateless_call(scope: Scope) -> bool:
    """Whether the edge's hot path serves this request (a POST to a stateless route)."""
    return scope["method"] == "POST" and scope["path"] in STATELESS_ROUTES


async def serve_stateless(scope: Scope, receive: Receive, send: Send) -> None:
    """The hot path as an ASGI app: the gateway pipeline, without the framework's router and
    exception middleware (errors are rendered the same way)."""
    gateway = scope["app"].state.zerokeep.gateway
    try:
        response = await gateway.handle(Request(scope, receive), STATELESS_ROUTES[scope["path"]])
    except (ZerokeepError, UpstreamError) as error:
        response = render_error(error)
    await response(scope, receive, send)


def model_card(target: Target) -> dict[str, object]:
    model = target.model
    capabilities = {
        "completion_chat": False,
        "completion_fim": False,
        "function_calling": model.function_calling,
        "reasoning": model.reasoning,
        "vision": model.vision,
        "ocr": False,
        "classification": False,
        "moderation": False,
        "audio": False,
        "audio_transcription": False,
        "audio_speech": False,
    }
    for route in model.routes:
        for name in _CAPABILITIES[route]:
            capabilities[name] = True
    retention_days = target.retention_days
    return {
        "id": model.name,
        "object": "model",
        "created": _CREATED,
        "owned_by": "zerokeep",
        "capabilities": capabilities,
        "name": model.name,
        "description": model.description,
        "max_context_length": target.max_context_length,
        "aliases": list(model.aliases),
        "deprecation": None,
        "type": "base",
        "zerokeep": {
            "routes": [route.value for route in model.routes],
            "upstream_retention": "none" if retention_days is None else f"{retention_days} days",
        },
    }


class BaseModelNotDeletable(PermissionDenied):
    code = "model_not_deletable"
    default_message = (
        "This model is a base model served by this deployment; only fine-tuned models can be "
        "deleted."
    )


router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models")
async def list_models(state: StateDep, _: ApiKeyDep) -> dict[str, object]:
    return {"object": "list", "data": [model_card(t) for t in state.gateway.router.targets()]}


@router.get("/models/{model_id}")
async def get_model(model_id: str, state: StateDep, _: ApiKeyDep) -> dict[str, object]:
    return model_card(_target(state, model_id))


@router.delete("/models/{model_id}")
async def delete_model(model_id: str, state: StateDep, _: ApiKeyDep) -> dict[str, object]:
    """The spec's DELETE: for fine-tuned models only; every model here is a base model (403)."""
    _target(state, model_id)
    raise BaseModelNotDeletable()


def _target(state: AppState, model_id: str) -> Target:
    for target in state.gateway.router.targets():
        if model_id == target.model.name or model_id in target.model.aliases:
            return target
    raise NotFound("No such model; GET /v1/models lists the models you can use.")


connectors_router = APIRouter(prefix="/v1", tags=["connectors"])


@connectors_router.get("/connectors/bootstrap")
async def connectors_bootstrap(_: ApiKeyDep) -> dict[str, object]:
    """What the Mistral API answers a workspace without connectors (Vibe asks at start-up)."""
    return {"connectors": []}
