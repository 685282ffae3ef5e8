"""The ten data-plane routes in /openapi.json, and the API docs page served from the package.

The stateless POSTs bypass FastAPI's router (edge.py hands them to the pipeline), so FastAPI
does not see them: their entries are built here from the same request schemas the gateway
validates with. The docs page loads Swagger UI from the `swagger-ui-bundle` package, so it
works offline and an admin's browser calls no third party.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse

from zerokeep.gateway.schemas import REQUEST_MODELS, TranscriptionForm
from zerokeep.retention.catalogue import STATELESS_ENDPOINTS, Route

DOCS_PATH = "/docs"
DOCS_ASSETS_PATH = "/docs/assets"
_REF = "#/components/schemas/{model}"


def add_data_plane(schema: dict[str, Any]) -> dict[str, Any]:
    """Add a POST operation for each stateless route to a generated OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    paths = schema.setdefault("paths", {})
    for endpoint in STATELESS_ENDPOINTS:
        route = Route(endpoint.path)
        model = REQUEST_MODELS.get(route, TranscriptionForm)
        media_type = "application/json"
        body = _component(model, components)
        if route is Route.AUDIO_TRANSCRIPTIONS:
            media_type = "multipart/form-data"
            body = {
                "allOf": [body, {"properties": {"file": {"type": "string", "format": "binary"}}}]
            }
        answers: dict[str, Any] = {"application/json": {"schema": {"type": "object"}}}
        if endpoint.streams:
            answers["text/event-stream"] = {"schema": {"type": "string"}}
        paths[endpoint.path] = {
            "post": {
                "tags": ["data plane"],
                "summary": endpoint.summary,
                "operationId": "stateless_" + route.value.strip("/").replace("/", "_"),
                "requestBody": {"required": True, "content": {media_type: {"schema": body}}},
                "responses": {
                    "200": {"description": "Successful Response", "content": answers},
                    "422": {"description": "Validation Error"},
                },
                "security": [{"ApiKey": []}],
            }
        }
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["ApiKey"] = {
        "type": "http",
        "scheme": "bearer",
    }
    return schema


def _component(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    generated = model.model_json_schema(ref_template=_REF)
    components.update(generated.pop("$defs", {}))
    components[model.__name__] = generated
    return {"$ref": _REF.format(model=model.__name__)}


def mount_docs(app: FastAPI) -> None:
    """Serve /docs with Swagger UI's files from the installed package (no CDN)."""
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon-32x32.png",
        )

    app.add_route(DOCS_PATH, docs, include_in_schema=False)
