"""Every API route the app serves is in the retention catalogue, and the Files routes are
stateful (their responses say so; see test_files_sdk for the header)."""

from __future__ import annotations

from tests.governance import client_for
from tests.harness import LiveServer
from zerokeep.retention.catalogue import EndpointClass, classify_path


class TestCatalogue:
    def test_every_v1_route_is_classified(self, live_server: LiveServer) -> None:
        paths = client_for(live_server, None).get("/openapi.json").json()["paths"]
        unclassified = [p for p in paths if p.startswith("/v1/") and classify_path(p) is None]
        assert unclassified == []
        files = [p for p in paths if p.startswith("/v1/files")]
        assert len(files) == 4  # /v1/files, /{id}, /{id}/content, /{id}/url
        assert {classify_path(p) for p in files} == {EndpointClass.STATEFUL}
