"""A batch line obeys its key's controls and the month's budgets, as a live call does: the
line runs through the same `limit` and `route` steps (SQLite and PostgreSQL)."""

from __future__ import annotations

from mistralai.client import Mistral
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.batch.test_batch_sdk import CHAT, chat_line, download_lines, run_jobs
from tests.governance import in_session
from tests.harness import LiveServer
from zerokeep.models import ApiKey, BatchJob
from zerokeep.retention_audit.fake_upstream.server import FakeUpstream


def set_key(server: LiveServer, job_id: str, **values: object) -> None:
    async def change(session: AsyncSession) -> None:
        key_id = (
            await session.execute(select(BatchJob.api_key_id).where(BatchJob.id == job_id))
        ).scalar_one()
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(**values))

    in_session(server, change)


def test_a_model_outside_the_keys_allow_list_fails_the_line(
    live_server: LiveServer, fake_upstream: FakeUpstream
) -> None:
    client = Mistral(api_key=live_server.new_organization()[1], server_url=live_server.base_url)
    run_jobs(live_server)  # what earlier tests left queued must not count here
    before = fake_upstream.count(CHAT)
    job = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(0)])
    set_key(live_server, job.id, allowed_models=["another-model"])
    run_jobs(live_server)
    done = client.batch.jobs.get(job_id=job.id)
    assert (done.status, done.failed_requests) == ("FAILED", 1)
    assert done.error_file is not None
    (error,) = download_lines(client, done.error_file)
    response = error["response"]
    assert isinstance(response, dict) and response["status_code"] == 403
    assert "allow-list" in response["body"]["message"]
    assert fake_upstream.count(CHAT) == before


def test_a_spent_monthly_budget_fails_the_line(
    live_server: LiveServer, fake_upstream: FakeUpstream
) -> None:
    client = Mistral(api_key=live_server.new_organization()[1], server_url=live_server.base_url)
    first = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(0)])
    set_key(live_server, first.id, monthly_token_budget=1)
    run_jobs(live_server)  # the key has spent nothing yet: this line runs and spends tokens
    assert client.batch.jobs.get(job_id=first.id).status == "SUCCESS"
    # Usage rows are written in batches: write this line's before the spend is read.
    live_server.run(live_server.state.gateway.usage.batcher.flush())
    before = fake_upstream.count(CHAT)
    job = client.batch.jobs.create(endpoint=CHAT, model="test-model", requests=[chat_line(1)])
    run_jobs(live_server)
    done = client.batch.jobs.get(job_id=job.id)
    assert (done.status, done.failed_requests) == ("FAILED", 1)
    assert done.error_file is not None
    (error,) = download_lines(client, done.error_file)
    response = error["response"]
    assert isinstance(response, dict) and response["status_code"] == 429
    assert fake_upstream.count(CHAT) == before
