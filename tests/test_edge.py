"""The edge's access log: typed metadata only, never the raw path a client sent."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.canary import find_canary, new_canary
from tests.harness import LiveServer


def access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        record.zk_event  # type: ignore[attr-defined]
        for record in caplog.records
        if record.getMessage() == "AccessLogged"
    ]


class TestAccessLog:
    def test_a_gateway_call_is_logged_with_its_route_and_regime(
        self, live_server: LiveServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        organization_id, key = live_server.new_organization(zdr=True)
        with httpx.Client(base_url=live_server.base_url) as client:
            response = client.post(
                "/v1/embeddings",
                json={"model": "test-model", "input": "x"},
                headers={"authorization": f"Bearer {key}"},
            )
        assert response.status_code == 200
        logged = [r for r in access_records(caplog) if r["organization_id"] == organization_id]
        assert len(logged) == 1
        assert logged[0]["route"] == "/v1/embeddings"
        assert logged[0]["status"] == 200
        assert logged[0]["retention"] == "none"
        assert logged[0]["method"] == "POST"

    def test_an_unknown_path_is_logged_without_the_path(
        self, live_server: LiveServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        canary = new_canary()
        with httpx.Client(base_url=live_server.base_url) as client:
            assert client.get(f"/v1/{canary}?q={canary}").status_code == 404
        assert any(
            r["route"] == "<unmatched>" and r["status"] == 404 for r in access_records(caplog)
        )
        # The test's own HTTP client logs the URL it requested; everything else is the server's.
        server_side = "\n".join(
            record.getMessage() + repr(getattr(record, "zk_event", ""))
            for record in caplog.records
            if not record.name.startswith(("httpx", "httpcore"))
        )
        assert find_canary(server_side.encode(), canary) == []
        assert find_canary(live_server.log_file.read_bytes(), canary) == []

    def test_nothing_is_built_when_info_is_off(
        self, live_server: LiveServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="zerokeep")
        logging.getLogger("zerokeep").setLevel(logging.WARNING)
        try:
            with httpx.Client(base_url=live_server.base_url) as client:
                client.get("/v1/models")
            assert access_records(caplog) == []
        finally:
            logging.getLogger("zerokeep").setLevel(logging.NOTSET)
