"""retention.catalogue: every route has exactly one retention class."""

from __future__ import annotations

import pytest

from zerokeep.retention.catalogue import (
    CONTROL_PREFIXES,
    STATEFUL_PREFIXES,
    STATELESS_ENDPOINTS,
    EndpointClass,
    Route,
    classify_path,
)

ZDR_ELIGIBLE_PATHS = {
    "/v1/chat/completions",
    "/v1/fim/completions",
    "/v1/embeddings",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/ocr",
    "/v1/audio/speech",
    "/v1/audio/transcriptions",
}


class TestStatelessEndpoints:
    def test_exactly_the_zdr_eligible_routes_of_the_terms(self) -> None:
        assert {endpoint.path for endpoint in STATELESS_ENDPOINTS} == ZDR_ELIGIBLE_PATHS
        assert {route.value for route in Route} == ZDR_ELIGIBLE_PATHS

    def test_each_route_is_catalogued_once_as_stateless(self) -> None:
        paths = [endpoint.path for endpoint in STATELESS_ENDPOINTS]
        assert len(paths) == len(set(paths)) == len(Route)
        assert all(e.endpoint_class is EndpointClass.STATELESS for e in STATELESS_ENDPOINTS)

    def test_streaming_routes(self) -> None:
        streaming = {endpoint.path for endpoint in STATELESS_ENDPOINTS if endpoint.streams}
        assert streaming == {
            Route.CHAT_COMPLETIONS,
            Route.FIM_COMPLETIONS,
            Route.AUDIO_SPEECH,
            Route.AUDIO_TRANSCRIPTIONS,
        }

    def test_every_endpoint_has_a_summary(self) -> None:
        assert all(endpoint.summary for endpoint in STATELESS_ENDPOINTS)

    def test_endpoints_are_immutable(self) -> None:
        with pytest.raises(AttributeError):
            STATELESS_ENDPOINTS[0].endpoint_class = EndpointClass.STATEFUL  # type: ignore[misc]


class TestClassifyPath:
    @pytest.mark.parametrize("path", sorted(ZDR_ELIGIBLE_PATHS))
    def test_stateless(self, path: str) -> None:
        assert classify_path(path) is EndpointClass.STATELESS

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/files",
            "/v1/files/3f2a/content",
            "/v1/batch/jobs",
            "/v1/batch/jobs/abc/cancel",
            "/v1/agents",
            "/v1/conversations/c1/history",
            "/v1/libraries/l1/documents/d1",
        ],
    )
    def test_stateful(self, path: str) -> None:
        assert classify_path(path) is EndpointClass.STATEFUL

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/models",
            "/v1/models/test-model",
            "/v1/organization/privacy",
            "/v1/staff/zdr-requests",
        ],
    )
    def test_control(self, path: str) -> None:
        assert classify_path(path) is EndpointClass.CONTROL

    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/docs",
            "/console/login",
            "/v1",
            "/v1/chat/completions/extra",
            "/v1/chat",
            "/v1/filesystem",
            "/v1/modelsx",
            "/v1/batched",
            "/v2/chat/completions",
            "/V1/CHAT/COMPLETIONS",
        ],
    )
    def test_outside_the_api(self, path: str) -> None:
        assert classify_path(path) is None

    def test_prefix_lists_do_not_overlap(self) -> None:
        assert not set(STATEFUL_PREFIXES) & set(CONTROL_PREFIXES)
        for path in ZDR_ELIGIBLE_PATHS:
            assert not any(path.startswith(p) for p in STATEFUL_PREFIXES + CONTROL_PREFIXES)
