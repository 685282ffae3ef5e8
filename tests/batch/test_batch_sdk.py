"""Every Batch route through the official mistralai SDK against the live gateway (SQLite and
PostgreSQL); the job layer is run on the server's loop, as `zerokeep serve` runs it."""

from __future__ import annotations

import orjson
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError
from sqlalchemy import func, select, update

from tests.governance import client_for, in_session
from tests.harness import LiveServer
from zerokeep.audit.actions import CLI
from zerokeep.auth.access import OPERATOR_KEY_ROLE
from zerokeep.jobs import JobEnvironment, load_registry
from zerokeep.jobs.embedded import EmbeddedRunner
from zerokeep.lifecycle.purge import purge_due, purger_for
from zerokeep.models import (
    ArchiveRecord,
    BatchJob,
    BatchLine,
    EncryptionKey,
    Organization,
    UsageRecord,
)
from zerokeep.organization import service as organization_service
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import PrivacyUpdate
from zerokeep.retention.policy import StatefulPolicy
from zerokeep.retention_audit.fake_upstream.server import FakeUpstream

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"


def run_jobs(server: LiveServer) -> int:
    """Run every due job to the end, like the embedded runner inside `zerokeep serve`."""
    state = server.state
    environment = JobEnvironment(
        state.settings, state.clock, state.engine, state.sessions, state.key_service, state
    )
    runner = EmbeddedRunner(load_registry(), environment)
    return server.run(runner.run_until_idle(max_jobs=100_000), timeout=600)


def chat_line(index: int) -> dict[str, object]:
    return {
        "custom_id": f"c{index}",
        "body": {"messages": [{"role": "user", "content": f"question {index}"}]},
    }


def embedding_line(index: int) -> bytes:
    return orjson.dumps({"custom_id": f"e{index}", "body": {"input": [f"text {index}"]}})


@pytest.fixture()
def org_key(live_server: LiveServer) -> str:
    return live_server.new_organization()[1]


@pytest.fixture()
def client(live_server: LiveServer, org_key: str) -> Mistral:
    return Mistral(api_key=org_key, server_url=live_server.base_url)


def download_lines(client: Mistral, file_id: str) -> list[dict[str, object]]:
    content = client.files.download(file_id=file_id).read()
    return [orjson.loads(line) for line in content.splitlines()]


class TestCreate:
    def test_inline_requests_run_to_success(
        self, live_server: LiveServer, client: Mistral, fake_upstream: FakeUpstream
    ) -> None:
        run_jobs(live_server)  # what earlier tests left queued must not count here
        before = fake_upstream.count(CHAT)
        job = client.batch.jobs.create(
            endpoint=CHAT,
            model="test-model",
            requests=[chat_line(index) for index in range(3)],
            metadata={"team": "search"},
        )
        assert (job.object, job.status, job.total_requests) == ("batch", "QUEUED", 3)
        assert job.metadata == {"team": "search"}
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert done.status == "SUCCESS"
        assert (done.succeeded_requests, done.failed_requests) == (3, 0)
        assert done.completed_requests == 3
        assert done.error_file is None and done.output_file is not None
        assert fake_upstream.count(CHAT) - before == 3
        lines = download_lines(client, done.output_file)
        assert [line["custom_id"] for line in lines] == ["c0", "c1", "c2"]
        first = lines[0]["response"]
        assert isinstance(first, dict) and first["status_code"] == 200
        assert first["body"]["model"] == "test-model"
        output = client.files.retrieve(file_id=done.output_file)
        assert (output.purpose, output.sample_type, output.num_lines) == (
            "batch",
            "batch_result",
            3,
        )

    def test_input_file_with_a_malformed_line_fails_that_line_only(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        content = b"\n".join(
            [embedding_line(0), b"{not json", embedding_line(1), b'{"custom_id": "x"}']
        )
        uploaded = client.files.upload(
            file={"file_name": "in.jsonl", "content": content}, purpose="batch"
        )
        job = client.batch.jobs.create(
            endpoint=EMBEDDINGS, model="test-model", input_files=[uploaded.id]
        )
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert done.status == "SUCCESS"
        assert (done.total_requests, done.succeeded_requests, done.failed_requests) == (4, 2, 2)
        assert done.error_file is not None and done.output_file is not None
        errors = download_lines(client, done.error_file)
        assert [error["custom_id"] for error in errors] == ["1", "x"]
        assert all("not a JSON object" in str(error["error"]) for error in errors)
        assert "not json" not in str(errors)  # never echoes the line
        errors_file = client.files.retrieve(file_id=done.error_file)
        assert errors_file.sample_type == "batch_error"

    def test_an_upstream_error_fails_the_line_with_our_message(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        job = client.batch.jobs.create(
            endpoint=CHAT, model="fail-400-echo", requests=[chat_line(0)]
        )
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert (done.status, done.failed_requests) == ("FAILED", 1)
        assert done.error_file is not None
        (error,) = download_lines(client, done.error_file)
        assert "question 0" not in orjson.dumps(error).decode()  # the upstream's echo stays out

    def test_an_unsupported_endpoint_is_400(self, live_server: LiveServer, org_key: str) -> None:
        response = client_for(live_server, org_key).post(
            "/v1/batch/jobs",
            json={"endpoint": "/v1/audio/speech", "requests": [chat_line(0)]},
        )
        assert response.status_code == 400
        assert response.json()["param"] == "endpoint"

    def test_neither_or_both_inputs_is_400(self, live_server: LiveServer, org_key: str) -> None:
        http = client_for(live_server, org_key)
        assert http.post("/v1/batch/jobs", json={"endpoint": CHAT}).status_code == 400

    def test_another_organizations_input_file_is_404(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        uploaded = client.files.upload(
            file={"file_name": "in.jsonl", "content": embedding_line(0)}, purpose="batch"
        )
        _, stranger_key = live_server.new_organization()
        response = client_for(live_server, stranger_key).post(
            "/v1/batch/jobs", json={"endpoint": EMBEDDINGS, "input_files": [uploaded.id]}
        )
        assert response.status_code == 404

    def test_no_key_is_401(self, live_server: LiveServer) -> None:
        response = client_for(live_server, None).post("/v1/batch/jobs", json={})
        assert response.status_code == 401


class TestListGetCancelDelete:
    def test_list_pages_and_filters(self, live_server: LiveServer, client: Mistral) -> None:
        first = client.batch.jobs.create(
            endpoint=CHAT, model="test-model", requests=[chat_line(0)], metadata={"n": "1"}
        )
        live_server.clock.advance(seconds=1)
        second = client.batch.jobs.create(
            endpoint=CHAT, model="test-model", requests=[chat_line(1)], metadata={"n": "2"}
        )
        listed = client.batch.jobs.list()
        assert listed.total == 2
        assert [job.id for job in listed.data or []] == [second.id, first.id]
        page = client.batch.jobs.list(page=1, page_size=1)
        assert [job.id for job in page.data or []] == [first.id]
        oldest_first = client.batch.jobs.list(order_by="created")
        assert [job.id for job in oldest_first.data or []] == [first.id, second.id]
        by_label = client.batch.jobs.list(metadata={"n": "2"})
        assert [job.id for job in by_label.data or []] == [second.id]
        assert client.batch.jobs.list(status=["SUCCESS"]).total == 0
        assert client.batch.jobs.list(status=["QUEUED"]).total == 2

    def test_cancel_before_it_runs_sends_nothing(
        self, live_server: LiveServer, client: Mistral, fake_upstream: FakeUpstream
    ) -> None:
        run_jobs(live_server)  # what earlier tests left queued must not count here
        job = client.batch.jobs.create(
            endpoint=CHAT, model="test-model", requests=[chat_line(0), chat_line(1)]
        )
        cancelled = client.batch.jobs.cancel(job_id=job.id)
        assert cancelled.status == "CANCELLATION_REQUESTED"
        before = fake_upstream.count(CHAT)
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert done.status == "CANCELLED"
        assert fake_upstream.count(CHAT) == before

    def test_delete_hides_the_job(self, client: Mistral) -> None:
        job = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(0)])
        deleted = client.batch.jobs.delete(job_id=job.id)
        assert (deleted.id, deleted.deleted) == (job.id, True)
        with pytest.raises(SDKError) as raised:
            client.batch.jobs.get(job_id=job.id)
        assert raised.value.status_code == 404
        assert client.batch.jobs.list().total == 0

    def test_another_organizations_job_is_404(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        job = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(0)])
        _, stranger_key = live_server.new_organization()
        http = client_for(live_server, stranger_key)
        for method, path in (
            ("GET", f"/v1/batch/jobs/{job.id}"),
            ("POST", f"/v1/batch/jobs/{job.id}/cancel"),
            ("DELETE", f"/v1/batch/jobs/{job.id}"),
        ):
            assert http.request(method, path).status_code == 404, (method, path)
        assert http.get("/v1/batch/jobs").json()["total"] == 0
        assert client.batch.jobs.get(job_id=job.id).status == "QUEUED"


class TestStrictZdr:
    def test_block_policy_is_403(self, live_server: LiveServer, org_key: str) -> None:
        http = client_for(live_server, org_key)
        organization_id = http.get("/v1/organization/privacy").json()["organization_id"]

        async def block(session):  # type: ignore[no-untyped-def]
            organization = await organization_service.get(session, organization_id)
            await privacy_service.update(
                session,
                CLI,
                organization,
                OPERATOR_KEY_ROLE,
                PrivacyUpdate(stateful_policy=StatefulPolicy.BLOCK),
            )

        in_session(live_server, block)
        for method, path in (
            ("GET", "/v1/batch/jobs"),
            ("POST", "/v1/batch/jobs"),
            ("GET", "/v1/batch/jobs/x"),
            ("POST", "/v1/batch/jobs/x/cancel"),
            ("DELETE", "/v1/batch/jobs/x"),
        ):
            response = http.request(method, path)
            assert response.status_code == 403, (method, path)
            assert response.json()["code"] == "stateful_blocked"
            assert response.headers["zerokeep-retention"] == "stateful"


class TestThousandLines:
    def test_chat_and_embedding_lines_complete_with_correct_counters(
        self, live_server: LiveServer, client: Mistral, fake_upstream: FakeUpstream
    ) -> None:
        run_jobs(live_server)  # what earlier tests left queued must not count here
        chat_before, embed_before = fake_upstream.count(CHAT), fake_upstream.count(EMBEDDINGS)
        chat = client.batch.jobs.create(
            endpoint=CHAT, model="test-model", requests=[chat_line(i) for i in range(500)]
        )
        uploaded = client.files.upload(
            file={
                "file_name": "embeddings.jsonl",
                "content": b"\n".join(embedding_line(i) for i in range(500)),
            },
            purpose="batch",
        )
        embed = client.batch.jobs.create(
            endpoint=EMBEDDINGS, model="test-model", input_files=[uploaded.id]
        )
        run_jobs(live_server)
        for job, prefix in ((chat, "c"), (embed, "e")):
            done = client.batch.jobs.get(job_id=job.id)
            assert done.status == "SUCCESS"
            assert (done.total_requests, done.succeeded_requests) == (500, 500)
            assert (done.failed_requests, done.completed_requests) == (0, 500)
            assert done.output_file is not None
            ids = [line["custom_id"] for line in download_lines(client, done.output_file)]
            assert ids == [f"{prefix}{index}" for index in range(500)]
        assert fake_upstream.count(CHAT) - chat_before == 500
        assert fake_upstream.count(EMBEDDINGS) - embed_before == 500


class TestSamePipeline:
    """Batch lines take the live calls' steps under the stateful decision."""

    def test_lines_are_metered_as_stateful_and_never_archived(
        self, live_server: LiveServer, client: Mistral, org_key: str
    ) -> None:
        organization_id = (
            client_for(live_server, org_key)
            .get("/v1/organization/privacy")
            .json()["organization_id"]
        )
        job = client.batch.jobs.create(
            endpoint=EMBEDDINGS, model="test-model", requests=[{"body": {"input": ["x"]}}]
        )
        run_jobs(live_server)
        assert client.batch.jobs.get(job_id=job.id).succeeded_requests == 1
        live_server.flush()

        async def rows(session):  # type: ignore[no-untyped-def]
            usage = await session.execute(
                select(UsageRecord.route, UsageRecord.retention, UsageRecord.status_code).where(
                    UsageRecord.organization_id == organization_id
                )
            )
            archived = await session.execute(
                select(func.count()).where(ArchiveRecord.organization_id == organization_id)
            )
            return list(usage), archived.scalar_one()

        usage, archived = in_session(live_server, rows)
        assert usage == [(EMBEDDINGS, "stateful", 200)]
        assert archived == 0

    def test_the_upstream_zdr_requirement_holds_for_lines(
        self, live_server: LiveServer, client: Mistral, org_key: str
    ) -> None:
        organization_id = (
            client_for(live_server, org_key)
            .get("/v1/organization/privacy")
            .json()["organization_id"]
        )

        async def require(session):  # type: ignore[no-untyped-def]
            await session.execute(
                update(Organization)
                .where(Organization.id == organization_id)
                .values(requires_upstream_zdr=True)
            )

        in_session(live_server, require)
        job = client.batch.jobs.create(
            endpoint=CHAT, model="retaining-model", requests=[chat_line(0)]
        )
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert (done.status, done.failed_requests) == ("FAILED", 1)
        assert done.error_file is not None
        (error,) = download_lines(client, done.error_file)
        assert "upstream zero data retention" in str(error["error"])


class TestTimeoutAndPurge:
    def test_a_job_past_its_timeout_ends_timeout_exceeded(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        run_jobs(live_server)
        job = client.batch.jobs.create(
            endpoint=CHAT, model="test-model", requests=[chat_line(0)], timeout_hours=1
        )
        live_server.clock.advance(hours=2)
        run_jobs(live_server)
        done = client.batch.jobs.get(job_id=job.id)
        assert (done.status, done.completed_requests, done.total_requests) == (
            "TIMEOUT_EXCEEDED",
            0,
            1,
        )

    def test_a_deleted_job_is_purged_with_its_lines_and_key(
        self, live_server: LiveServer, client: Mistral, org_key: str
    ) -> None:
        http = client_for(live_server, org_key)
        assert http.patch("/v1/organization/privacy", json={"deletion_grace_days": 0}).is_success
        job = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(0)])

        async def key_of(session):  # type: ignore[no-untyped-def]
            return (await session.get(BatchJob, job.id)).encryption_key_id

        key_id = in_session(live_server, key_of)
        client.batch.jobs.delete(job_id=job.id)
        assert job.id in str(http.get("/v1/organization/deleted").json())
        live_server.run(purge_due(live_server.state.sessions, purger_for(live_server.state)))

        async def remains(session):  # type: ignore[no-untyped-def]
            lines = await session.execute(select(func.count()).where(BatchLine.job_id == job.id))
            return (
                await session.get(BatchJob, job.id),
                lines.scalar_one(),
                await session.get(EncryptionKey, key_id),
            )

        assert in_session(live_server, remains) == (None, 0, None)
