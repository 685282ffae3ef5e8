"""Retention invariants on the live gateway: ZDR keeps nothing on any path (invariants 1-2);
archived traffic is encrypted, bounded by its window, and purged bytes included (invariant 5)."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text

from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.archive.purge import purge_expired
from zerokeep.archive.reader import open_records
from zerokeep.models import ArchiveRecord, EncryptionKey
from zerokeep.retention.catalogue import Route
from zerokeep.retention.policy import Plan
from zerokeep.retention_audit.canary import Canary, Scanner
from zerokeep.retention_audit.failures import FailureTarget, send_failures
from zerokeep.retention_audit.traffic import send_routes

CHAT = Route.CHAT_COMPLETIONS.value


def chat(canary: Canary, model: str = "test-model") -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": canary.prompt()}]}


def post_json(client: httpx.Client, key: str, path: str, body: object) -> httpx.Response:
    return client.post(path, json=body, headers={"authorization": f"Bearer {key}"})


def database_dump(server: LiveServer) -> bytes:
    """Every row of every table, as text (PostgreSQL: the SQL-visible state of every column)."""

    async def dump() -> bytes:
        chunks: list[bytes] = []
        async with server.state.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                names = await connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            else:
                names = await connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname='public'")
                )
            for (name,) in names.all():
                rows = await connection.execute(text(f'SELECT * FROM "{name}"'))
                for row in rows.all():
                    chunks.append(repr(tuple(row)).encode())
        return b"\n".join(chunks)

    return server.run(dump())


def assert_nowhere(server: LiveServer, canary: Canary, caplog: pytest.LogCaptureFixture) -> None:
    """The retention audit's scanner (every encoding) finds the canary in no file under the data
    dir, no database row and no log record."""
    server.flush()
    scanner = Scanner([canary])
    assert scanner.scan_tree(server.settings.data_dir) == {}
    assert scanner.scan_bytes(database_dump(server)) == []
    assert scanner.scan_text(caplog.text) == []


@pytest.fixture()
def client(live_server: LiveServer) -> httpx.Client:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http


class TestZeroDataRetention:
    def test_every_route_keeps_nothing(
        self, live_server: LiveServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        _, key = live_server.new_organization(zdr=True)
        canary = Canary.new("zdr")
        models = dict.fromkeys(Route, "test-model")
        calls = send_routes(live_server.base_url, key, models, canary, organization="zdr")
        assert len(calls) == 14
        assert [(c.name, c.status) for c in calls if not c.is_as_expected or c.is_skipped] == []
        assert_nowhere(live_server, canary, caplog)

    def test_every_failure_path_keeps_nothing(
        self,
        live_server: LiveServer,
        client: httpx.Client,
        fake_upstream: FakeUpstream,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        _, key = live_server.new_organization(zdr=True)
        _, limited_key = live_server.new_organization(zdr=True, requests_per_minute=1)
        canary = Canary.new("zdr")
        target = FailureTarget(
            base_url=live_server.base_url,
            api_key=key,
            chat_model="test-model",
            max_body_bytes=live_server.settings.max_body_bytes,
            fake=fake_upstream,
            rate_limited_key=limited_key,
        )
        calls = send_failures(target, canary)
        assert len(calls) >= 20
        assert [(c.name, c.status) for c in calls if not c.is_as_expected or c.is_skipped] == []
        assert_nowhere(live_server, canary, caplog)

    def test_error_bodies_never_echo_the_request(
        self, live_server: LiveServer, client: httpx.Client
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        canary = Canary.new("zdr")
        body = chat(canary)
        for variant in (
            {**body, "temperature": canary.token},
            {**body, canary.token: True},
            {**body, "model": canary.token},
            {**body, "model": "fail-500-echo"},
            {**body, "model": "fail-400-echo"},
        ):
            response = post_json(client, key, CHAT, variant)
            assert response.status_code >= 400
            assert Scanner([canary]).scan_bytes(response.content) == []
            assert response.json()["object"] == "error"

    def test_retention_header_says_none(
        self, live_server: LiveServer, client: httpx.Client
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        ok = post_json(client, key, "/v1/embeddings", {"model": "test-model", "input": "x"})
        bad = post_json(client, key, "/v1/embeddings", {"model": "test-model"})
        assert ok.headers["zerokeep-retention"] == "none"
        assert bad.headers["zerokeep-retention"] == "none"


class TestPayloadArchive:
    def test_non_zdr_traffic_is_archived_encrypted(
        self, live_server: LiveServer, client: httpx.Client
    ) -> None:
        organization_id, key = live_server.new_organization(plan=Plan.SCALE, zdr=False)
        canary = Canary.new("control")
        response = post_json(client, key, CHAT, chat(canary))
        assert response.headers["zerokeep-retention"] == "archive; days=30"
        live_server.flush()
        # At rest it is ciphertext: no file and no column shows the canary.
        scanner = Scanner([canary])
        assert scanner.scan_tree(live_server.settings.data_dir) == {}
        assert scanner.scan_bytes(database_dump(live_server)) == []
        # Through the product's own access path it is there: request and response.
        records = live_server.run(self._open(live_server, organization_id))
        assert len(records) == 1
        payload = records[0].payload.expose()
        assert canary.token in str(payload["request"])
        assert canary.token in str(payload["response"])

    def test_streams_and_failures_are_archived_too(
        self, live_server: LiveServer, client: httpx.Client
    ) -> None:
        organization_id, key = live_server.new_organization(plan=Plan.FREE)
        canary = Canary.new("control")
        body = chat(canary)
        headers = {"authorization": f"Bearer {key}"}
        with client.stream("POST", CHAT, json={**body, "stream": True}, headers=headers) as r:
            r.read()
        post_json(client, key, CHAT, {**body, "model": "fail-500-echo"})
        live_server.flush()
        records = live_server.run(self._open(live_server, organization_id))
        assert sorted(record.payload.expose()["status_code"] for record in records) == [200, 502]
        streamed = next(r for r in records if r.payload.expose()["status_code"] == 200)
        assert canary.token in str(streamed.payload.expose()["response"])

    def test_purge_after_the_window_removes_the_bytes(
        self, live_server: LiveServer, client: httpx.Client
    ) -> None:
        organization_id, key = live_server.new_organization(plan=Plan.SCALE)
        canary = Canary.new("control")
        post_json(client, key, "/v1/embeddings", {"model": "test-model", "input": canary.token})
        live_server.flush()
        sealed = live_server.run(self._sealed(live_server, organization_id))
        assert len(sealed) == 1
        is_sqlite = live_server.state.engine.dialect.name == "sqlite"
        if is_sqlite:
            assert self._bytes_on_disk(live_server, sealed[0]), "the ciphertext should be on disk"
        live_server.clock.advance(days=29)
        state = live_server.state
        live_server.run(purge_expired(state.engine, state.sessions, state.clock))
        assert len(live_server.run(self._sealed(live_server, organization_id))) == 1
        live_server.clock.advance(days=1, seconds=1)
        purged = live_server.run(purge_expired(state.engine, state.sessions, state.clock))
        assert purged >= 1
        assert live_server.run(self._sealed(live_server, organization_id)) == []
        assert live_server.run(self._key_count(live_server, organization_id)) == 0, (
            "the day's archive key must be destroyed once its records are purged"
        )
        if is_sqlite:
            assert not self._bytes_on_disk(live_server, sealed[0]), "purged bytes linger on disk"

    @staticmethod
    async def _open(server: LiveServer, organization_id: str) -> list:  # type: ignore[type-arg]
        async with server.state.sessions() as session:
            return await open_records(session, server.state.key_service, organization_id)

    @staticmethod
    async def _sealed(server: LiveServer, organization_id: str) -> list[bytes]:
        async with server.state.sessions() as session:
            rows = await session.execute(
                select(ArchiveRecord.sealed_payload).where(
                    ArchiveRecord.organization_id == organization_id
                )
            )
            return [row[0] for row in rows.all()]

    @staticmethod
    async def _key_count(server: LiveServer, organization_id: str) -> int:
        async with server.state.sessions() as session:
            rows = await session.execute(
                select(EncryptionKey.id).where(EncryptionKey.organization_id == organization_id)
            )
            return len(rows.all())

    @staticmethod
    def _bytes_on_disk(server: LiveServer, sealed: bytes) -> bool:
        # The middle of the ciphertext: unique, and independent of page boundaries at its ends.
        needle = sealed[len(sealed) // 2 - 16 : len(sealed) // 2 + 16]
        return any(
            needle in path.read_bytes()
            for path in server.settings.data_dir.rglob("*")
            if path.is_file()
        )


class TestFailClosed:
    def test_policy_store_down_retains_nothing(self, live_server: LiveServer) -> None:
        """A key seen before keeps working while the policy store is unreachable, retaining
        nothing; the header says so."""
        from sqlalchemy.exc import OperationalError

        organization_id, key = live_server.new_organization(plan=Plan.SCALE)
        authenticator = live_server.state.gateway.authenticator
        with httpx.Client(base_url=live_server.base_url) as http:
            first = post_json(http, key, "/v1/embeddings", {"model": "test-model", "input": "a"})
            assert first.headers["zerokeep-retention"] == "archive; days=30"
            original = authenticator._lookup

            async def unreachable(_: str) -> None:
                raise OperationalError("SELECT", {}, ConnectionError())

            authenticator._lookup = unreachable  # type: ignore[assignment]
            authenticator._ttl = 0
            authenticator._stale_while_refresh = 0
            try:
                second = post_json(
                    http, key, "/v1/embeddings", {"model": "test-model", "input": "b"}
                )
            finally:
                authenticator._lookup = original
                authenticator._ttl = 0.5
                authenticator._stale_while_refresh = 0.5
        assert second.status_code == 200
        assert second.headers["zerokeep-retention"] == "none"
        live_server.flush()
        records = live_server.run(TestPayloadArchive._open(live_server, organization_id))
        assert len(records) == 1
        assert timedelta(days=30) == records[0].expires_at - records[0].created_at
