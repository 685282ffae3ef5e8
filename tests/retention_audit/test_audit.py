"""The retention audit end to end: it passes on the current product (SQLite ephemeral; PostgreSQL
+ Redis), fails and names the sink when a variant leaks, fails when its positive control is
sabotaged, and its report verifies while a modified one does not."""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.conftest import (
    IN_CI,
    create_postgres_database,
    drop_postgres_database,
    postgres_url,
    require_postgres,
)
from zerokeep.config import Settings
from zerokeep.retention_audit.instance import Hooks
from zerokeep.retention_audit.report import verify
from zerokeep.retention_audit.runner import AuditOptions, run_audit
from zerokeep.state import AppState

SECRET = "audit-test-secret-" + "k" * 40
# Two test runs on one machine must not share a Redis db: each run can pick its own.
REDIS_URL = os.environ.get("ZEROKEEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def settings_for(data_dir: Path, **extra: Any) -> Settings:
    return Settings(data_dir=data_dir, secret_key=SECRET, **extra)


def audit(tmp_path: Path, hooks: Hooks | None = None, **extra: Any) -> dict[str, Any]:
    options = AuditOptions(settings_for(tmp_path / "data", **extra), ephemeral=True, hooks=hooks)
    return run_audit(options)


def sink(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(item for item in document["report"]["sinks"] if item["name"] == name)


def leaking_middleware(app: ASGIApp, settings: Settings) -> ASGIApp:
    """A deliberately leaking variant: it writes every request body to a file in the data dir."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def tapped() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                with (settings.data_dir / "debug-bodies.log").open("ab") as handle:
                    handle.write(message.get("body", b""))
            return message

        await app(scope, tapped if scope["type"] == "http" else receive, send)

    return middleware


def logging_middleware(app: ASGIApp, settings: Settings) -> ASGIApp:
    """A leak through logs: a debug line with the request body."""
    logger = logging.getLogger("zerokeep.debugging")

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def tapped() -> Any:
            message = await receive()
            if message["type"] == "http.request" and message.get("body"):
                logger.debug("body %s", message["body"][:200])
            return message

        await app(scope, tapped if scope["type"] == "http" else receive, send)

    return middleware


def disable_archive(state: AppState) -> None:
    state.gateway.archive.submit = lambda *args, **kwargs: None  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def sqlite_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return audit(tmp_path_factory.mktemp("audit-sqlite"))


class TestOnSqlite:
    def test_passes(self, sqlite_report: dict[str, Any]) -> None:
        report = sqlite_report["report"]
        assert report["failures"] == []
        assert report["verdict"] == "PASS"
        assert report["configuration"]["database_backend"] == "sqlite"

    def test_every_route_and_failure_path_was_exercised(
        self, sqlite_report: dict[str, Any]
    ) -> None:
        traffic = sqlite_report["report"]["traffic"]
        routes = {call["route"] for call in traffic["routes"]}
        assert len(routes) == 10
        assert all(call["status"] == 200 for call in traffic["routes"])
        statuses = {call["name"]: call["status"] for call in traffic["failure_paths"]}
        assert statuses["malformed-json"] == 422
        assert statuses["oversized-body"] == 413
        assert statuses["oversized-body-chunked"] == 413
        assert statuses["rate-limited"] == 429
        assert statuses["upstream-500-echo (stream)"] == 502
        assert statuses["upstream-timeout"] == 504
        assert statuses["client-disconnect-mid-stream"] == 200

    def test_sinks_were_scanned(self, sqlite_report: dict[str, Any]) -> None:
        assert sink(sqlite_report, "sqlite")["scanned"]["files"] >= 2  # the file and its WAL
        assert sink(sqlite_report, "captured-log")["scanned"]["bytes"] > 0
        assert sink(sqlite_report, "metrics")["status"] == "not-enabled"
        assert sink(sqlite_report, "temp-dir")["status"] == "scanned"

    def test_positive_control_found_then_purged(self, sqlite_report: dict[str, Any]) -> None:
        control = sqlite_report["report"]["positive_control"]
        assert control["routes_missing"] == []
        assert len(control["routes_found"]) == 10
        assert control["ciphertext_on_disk_before_purge"]
        assert control["purge"] == "verified"
        assert control["rows_after_purge"] == 0
        assert control["ciphertext_on_disk_after_purge"] == []

    def test_stateful_routes_say_so_and_a_purged_file_leaves_nothing(
        self, sqlite_report: dict[str, Any]
    ) -> None:
        stateful = sqlite_report["report"]["stateful"]
        assert stateful["headers_ok"] and stateful["wrong_headers"] == []
        assert len(stateful["routes_checked"]) == 11  # 6 Files routes, 5 Batch routes
        assert stateful["ciphertext_found_before_purge"]
        assert stateful["purged"]
        assert stateful["canary_after_purge"] == []
        assert stateful["ciphertext_after_purge"] == []

    def test_report_verifies_and_a_modified_one_does_not(
        self, sqlite_report: dict[str, Any]
    ) -> None:
        assert verify(sqlite_report).is_valid
        text = json.dumps(sqlite_report)
        rows = sink(sqlite_report, "captured-log")["scanned"]["rows"]
        tampered = text.replace(f'"rows": {rows}', f'"rows": {rows + 1}', 1)
        assert tampered != text
        assert not verify(json.loads(tampered)).is_valid

    def test_report_holds_no_canary(self, sqlite_report: dict[str, Any]) -> None:
        assert "ZKCANARY" not in json.dumps(sqlite_report)


class TestCatchesLeaks:
    def test_a_body_logging_file_fails_and_names_the_sink(self, tmp_path: Path) -> None:
        report = audit(tmp_path, Hooks(wrap_app=leaking_middleware))["report"]
        assert report["verdict"] == "FAIL"
        data_dir = next(item for item in report["sinks"] if item["name"] == "data-dir")
        assert {finding["location"] for finding in data_dir["findings"]} == {"debug-bodies.log"}
        assert {finding["canary"] for finding in data_dir["findings"]} == {"zdr", "control"}
        assert any(reason.startswith("sink data-dir:") for reason in report["failures"])
        assert set(data_dir["findings"][0]) == {"canary", "encoding", "location", "offset"}

    def test_a_body_in_the_logs_fails_and_names_the_sink(self, tmp_path: Path) -> None:
        report = audit(tmp_path, Hooks(wrap_app=logging_middleware))["report"]
        assert report["verdict"] == "FAIL"
        failing = {item["name"] for item in report["sinks"] if item["findings"]}
        assert {"captured-log", "log-files"} <= failing
        assert "ZKCANARY" not in json.dumps(report)


class TestPositiveControl:
    def test_sabotaged_archive_fails_the_audit(self, tmp_path: Path) -> None:
        report = audit(tmp_path, Hooks(after_start=disable_archive))["report"]
        assert report["verdict"] == "FAIL"
        assert report["positive_control"]["records_found"] == 0
        assert any("positive control" in reason for reason in report["failures"])


def require_redis() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return
    except OSError:
        message = "Redis is not reachable on 127.0.0.1:6379"
        if IN_CI:
            pytest.fail(message + " (CI=true: the Redis audit must run)")
        pytest.skip(message)


@pytest.fixture()
def postgres_database() -> Iterator[str]:
    require_postgres()
    require_redis()
    name = create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        drop_postgres_database(name)


@pytest.mark.postgres
class TestOnPostgresAndRedis:
    def test_passes(self, tmp_path: Path, postgres_database: str) -> None:
        settings = settings_for(
            tmp_path / "data", database_url=postgres_database, redis_url=REDIS_URL
        )
        document = run_audit(AuditOptions(settings))
        report = document["report"]
        assert report["failures"] == []
        assert report["verdict"] == "PASS"
        assert report["configuration"]["database_backend"] == "postgresql"
        assert sink(document, "postgresql-tables")["scanned"]["rows"] > 0
        assert sink(document, "redis")["status"] == "scanned"
        assert report["positive_control"]["purge"] == "verified"
        assert report["stateful"]["purged"] and report["stateful"]["headers_ok"]
        assert verify(document).is_valid
        assert os.path.isdir(tmp_path / "data")
