"""The edge's hot path and the router serve the stateless routes from one table, inside the same
user middleware: middleware added to the app later cannot silently skip the hot path."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from zerokeep.app import create_app
from zerokeep.config import Settings
from zerokeep.gateway.routes import STATELESS_ROUTES, stateless_routes
from zerokeep.retention.catalogue import STATELESS_ENDPOINTS


class Seen(BaseHTTPMiddleware):
    """Remembers the (method, path) of every request it saw."""

    seen: list[tuple[str, str]]

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        type(self).seen.append((request.method, request.url.path))
        return await call_next(request)


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", secret_key="hot-path-" + "x" * 40)
    app = create_app(settings, run_jobs=False)
    Seen.seen = []
    app.add_middleware(Seen)
    return TestClient(app)


class TestOneTable:
    def test_router_and_hot_path_share_the_catalogue_routes(self) -> None:
        assert set(STATELESS_ROUTES) == {str(endpoint.path) for endpoint in STATELESS_ENDPOINTS}
        assert {route.path for route in stateless_routes()} == set(STATELESS_ROUTES)


class TestAddedMiddleware:
    @pytest.mark.parametrize("path", sorted(STATELESS_ROUTES))
    def test_sees_hot_path_posts(self, client: TestClient, path: str) -> None:
        with client:
            response = client.post(path, json={})
        assert response.status_code == 401  # served by the gateway: no key
        assert response.json()["object"] == "error"
        assert ("POST", path) in Seen.seen

    def test_sees_routed_requests_too(self, client: TestClient) -> None:
        with client:
            assert client.get("/v1/chat/completions").status_code == 405
            assert client.get("/v1/models").status_code == 401
        assert Seen.seen == [("GET", "/v1/chat/completions"), ("GET", "/v1/models")]
