"""Metering: one usage row per gateway call, typed metadata only, also for failed calls."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.harness import LiveServer
from zerokeep.db import read_only
from zerokeep.models import UsageRecord
from zerokeep.models.api_key import ApiKey


def usage_rows(live_server: LiveServer, organization_id: str) -> list[dict[str, Any]]:
    live_server.flush()

    async def work() -> list[dict[str, Any]]:
        async with read_only(live_server.state.sessions) as session:
            rows = (
                await session.scalars(
                    select(UsageRecord)
                    .where(UsageRecord.organization_id == organization_id)
                    .order_by(UsageRecord.id)
                )
            ).all()
        columns = UsageRecord.__table__.columns.keys()
        return [{name: getattr(row, name) for name in columns} for row in rows]

    return live_server.run(work())


def key_last_used(live_server: LiveServer, organization_id: str) -> list[Any]:
    async def work() -> list[Any]:
        async with read_only(live_server.state.sessions) as session:
            query = select(ApiKey.last_used_at).where(ApiKey.organization_id == organization_id)
            return list((await session.scalars(query)).all())

    return live_server.run(work())


@pytest.fixture()
def org(live_server: LiveServer) -> tuple[str, httpx.Client]:
    org_id, key = live_server.new_organization(zdr=True)
    client = httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    return org_id, client


def chat_body(model: str, prompt: str, stream: bool = False) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": stream}


class TestUsageRecords:
    def test_chat_call_is_metered(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        response = client.post("/v1/chat/completions", json=chat_body("test-model", "two words"))
        usage = response.json()["usage"]
        [row] = usage_rows(live_server, org_id)
        assert row["route"] == "/v1/chat/completions"
        assert row["model"] == "test-model"
        assert row["status_code"] == 200
        assert row["retention"] == "none"
        assert row["is_stream"] is False
        assert (row["prompt_tokens"], row["completion_tokens"], row["total_tokens"]) == (
            usage["prompt_tokens"],
            usage["completion_tokens"],
            usage["total_tokens"],
        )
        assert row["bytes_in"] == len(response.request.content)
        assert row["bytes_out"] == len(response.content)
        assert row["latency_ms"] >= 0
        assert row["api_key_id"] is not None

    def test_stream_is_metered_with_final_usage(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        body = chat_body("test-model", "streamed words here", stream=True)
        with client.stream("POST", "/v1/chat/completions", json=body) as response:
            wire = response.read()
        [row] = usage_rows(live_server, org_id)
        assert row["is_stream"] is True
        assert row["status_code"] == 200
        assert row["prompt_tokens"] == 3
        assert row["completion_tokens"] == 4
        assert row["total_tokens"] == 7
        assert row["bytes_in"] > 0
        assert 0 < row["bytes_out"] <= len(wire)

    def test_each_route_has_its_row(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        client.post("/v1/embeddings", json={"model": "test-model", "input": ["a b", "c"]})
        client.post("/v1/moderations", json={"model": "test-model", "input": "fine"})
        rows = usage_rows(live_server, org_id)
        assert [row["route"] for row in rows] == ["/v1/embeddings", "/v1/moderations"]
        assert rows[0]["prompt_tokens"] == 3 and rows[0]["completion_tokens"] == 0
        assert all(row["status_code"] == 200 and row["bytes_out"] > 0 for row in rows)

    def test_failed_upstream_call_is_metered_as_502(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        response = client.post("/v1/chat/completions", json=chat_body("fail-500-echo", "boom"))
        assert response.status_code == 502
        [row] = usage_rows(live_server, org_id)
        assert row["status_code"] == 502
        assert row["model"] == "fail-500-echo"
        assert row["route"] == "/v1/chat/completions"
        assert row["total_tokens"] == 0
        assert row["bytes_in"] > 0

    def test_rejected_validation_is_metered_as_422(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        response = client.post("/v1/chat/completions", json={"model": "test-model"})
        assert response.status_code == 422
        [row] = usage_rows(live_server, org_id)
        assert row["status_code"] == 422
        assert row["model"] is None

    def test_no_column_contains_the_prompt(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        canary = "canary" + uuid.uuid4().hex
        client.post("/v1/chat/completions", json=chat_body("test-model", canary))
        client.post("/v1/chat/completions", json=chat_body("fail-500-echo", canary))
        client.post("/v1/chat/completions", json=chat_body("fail-400-echo", canary))
        client.post("/v1/chat/completions", json=chat_body(canary, canary))
        stream = chat_body("test-model", canary, stream=True)
        with client.stream("POST", "/v1/chat/completions", json=stream) as response:
            response.read()
        rows = usage_rows(live_server, org_id)
        assert len(rows) == 5
        for row in rows:
            for column, value in row.items():
                assert canary not in str(value), column

    def test_key_last_used_at_is_set(
        self, live_server: LiveServer, org: tuple[str, httpx.Client]
    ) -> None:
        org_id, client = org
        assert key_last_used(live_server, org_id) == [None]
        client.post("/v1/embeddings", json={"model": "test-model", "input": "x"})
        usage_rows(live_server, org_id)
        [last_used] = key_last_used(live_server, org_id)
        assert last_used is not None
