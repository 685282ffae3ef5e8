"""The catalogue tells the truth: every route the app serves has a retention class.

The test walks the app's own route table (as tests/test_tenancy.py walks the OpenAPI paths), so
a route added without a class in retention/catalogue.py fails here; the response headers then
state each class's regime (a staff call is `metadata`, not `none`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount

from tests.governance import client_for, new_staff_key
from tests.harness import LiveServer
from zerokeep.app import create_app
from zerokeep.config import Settings
from zerokeep.retention.catalogue import (
    OUTSIDE_API_PREFIXES,
    STATELESS_ENDPOINTS,
    EndpointClass,
    classify_path,
)


def served_paths(routes: list[BaseRoute]) -> set[str]:
    """Every path template the app answers. FastAPI keeps included routers as branches; its
    `iter_route_contexts` (what its OpenAPI generator walks) yields their routes with prefixes."""
    paths: set[str] = set()
    for context in iter_route_contexts(routes):
        route = context.original_route
        path = context.path
        assert isinstance(path, str), route
        paths.add(path)
        if isinstance(route, Mount) and not is_outside_api(path):
            paths |= {path + inner for inner in served_paths(list(route.routes))}
    return paths


def is_outside_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OUTSIDE_API_PREFIXES)


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    data_dir: Path = tmp_path_factory.mktemp("catalogue")
    app = create_app(Settings(data_dir=data_dir, secret_key="catalogue-" + "x" * 40))
    return served_paths(list(app.router.routes))


class TestEveryRouteIsClassified:
    def test_every_served_path_has_a_class_or_is_outside_the_api(self, paths: set[str]) -> None:
        unclassified = sorted(
            path for path in paths if classify_path(path) is None and not is_outside_api(path)
        )
        assert unclassified == [], (
            f"give these a retention class in retention/catalogue.py: {unclassified}"
        )

    def test_every_api_path_is_under_v1(self, paths: set[str]) -> None:
        assert all(path.startswith("/v1/") for path in paths if not is_outside_api(path))

    def test_the_stateless_routes_are_served(self, paths: set[str]) -> None:
        assert {str(endpoint.path) for endpoint in STATELESS_ENDPOINTS} <= paths

    def test_staff_routes_are_control(self, paths: set[str]) -> None:
        staff = [path for path in paths if path.startswith("/v1/staff/")]
        assert staff
        assert {classify_path(path) for path in staff} == {EndpointClass.CONTROL}


class TestStaffResponses:
    def test_are_stamped_metadata(self, live_server: LiveServer) -> None:
        _, key = new_staff_key(live_server)
        response = client_for(live_server, key).get("/v1/staff/zdr-requests")
        assert response.status_code == 200, response.text
        assert response.headers["zerokeep-retention"] == "metadata"

    def test_are_stamped_metadata_when_refused(self, live_server: LiveServer) -> None:
        response = client_for(live_server, None).get("/v1/staff/zdr-requests")
        assert response.status_code == 401
        assert response.headers["zerokeep-retention"] == "metadata"
