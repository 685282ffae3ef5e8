"""The edge's access log: typed metadata only, never the raw path a client sent."""

from __future__ import annotations

import logging
import threading

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.harness import LiveServer
from zerokeep.edge import Edge
from zerokeep.retention_audit.canary import Canary, Scanner


class AccessRecordWaiter(logging.Handler):
    """Collects one organization's access-log records and signals the first."""

    def __init__(self, organization_id: str | None) -> None:
        super().__init__(logging.INFO)
        self.organization_id = organization_id
        self.records: list[dict[str, object]] = []
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "zk_event", None)
        if record.msg == "AccessLogged" and event["organization_id"] == self.organization_id:
            self.records.append(event)
            self.arrived.set()


class TestAccessLog:
    def test_a_gateway_call_is_logged_with_its_route_and_regime(
        self, live_server: LiveServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        organization_id, key = live_server.new_organization(zdr=True)
        # The edge logs once the response is sent, on the server's thread: wait for the record.
        seen = AccessRecordWaiter(organization_id)
        logging.getLogger("zerokeep").addHandler(seen)
        try:
            with httpx.Client(base_url=live_server.base_url) as client:
                response = client.post(
                    "/v1/embeddings",
                    json={"model": "test-model", "input": "x"},
                    headers={"authorization": f"Bearer {key}"},
                )
            assert response.status_code == 200
            assert seen.arrived.wait(timeout=10), "no access-log record for the call"
        finally:
            logging.getLogger("zerokeep").removeHandler(seen)
        assert len(seen.records) == 1
        logged = seen.records[0]
        assert logged["route"] == "/v1/embeddings"
        assert logged["status"] == 200
        assert logged["retention"] == "none"
        assert logged["method"] == "POST"

    def test_an_unknown_path_is_logged_without_the_path(
        self, live_server: LiveServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        canary = Canary.new("path")
        seen = AccessRecordWaiter(None)
        logging.getLogger("zerokeep").addHandler(seen)
        try:
            with httpx.Client(base_url=live_server.base_url) as client:
                assert client.get(f"/v1/{canary.token}?q={canary.token}").status_code == 404
            assert seen.arrived.wait(timeout=10), "no access-log record for the call"
        finally:
            logging.getLogger("zerokeep").removeHandler(seen)
        assert any(r["route"] == "<unmatched>" and r["status"] == 404 for r in seen.records)
        # The test's own HTTP client logs the URL it requested; everything else is the server's.
        server_side = "\n".join(
            record.getMessage() + repr(getattr(record, "zk_event", ""))
            for record in caplog.records
            if not record.name.startswith(("httpx", "httpcore"))
        )
        assert Scanner([canary]).scan_text(server_side) == []
        assert Scanner([canary]).scan_bytes(live_server.log_file.read_bytes()) == []


class TestEdgeDirectly:
    """The Edge called as an ASGI app in this loop: its `finally` has run when the call returns."""

    async def test_nothing_is_built_when_info_is_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        built: list[int] = []
        monkeypatch.setattr(Edge, "_log", lambda self, scope, status, started: built.append(1))
        edge = Edge(PlainText(), max_body_bytes=1024)
        zerokeep_logger = logging.getLogger("zerokeep")
        previous = zerokeep_logger.level
        try:
            zerokeep_logger.setLevel(logging.WARNING)
            await call(edge)
            assert built == []
            zerokeep_logger.setLevel(logging.INFO)
            await call(edge)
            assert built == [1]
        finally:
            zerokeep_logger.setLevel(previous)


class PlainText:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("ok")(scope, receive, send)


async def call(app: ASGIApp) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return sent
