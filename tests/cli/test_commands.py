"""Every `zerokeep` command against SQLite and PostgreSQL: in process (Typer's runner), and a
few as real subprocesses (TestSubprocessSmoke: the installed script, start-up and exit codes)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.cli.runner import Cli
from zerokeep.api_key import service as api_key_service
from zerokeep.config import Settings
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.kit.clock import SystemClock
from zerokeep.migrations import runner
from zerokeep.models import ApiKey, AuditEvent, UsageRecord, User
from zerokeep.secret import load_keys

PASSWORD = "correct horse battery staple"


def head_revision() -> str:
    head = ScriptDirectory.from_config(runner.alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@pytest.fixture()
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture()
def bare_cli(tmp_path: Path, empty_database_url: str) -> Cli:
    """On an empty database (no migrations run)."""
    return Cli(tmp_path / "data", empty_database_url)


@pytest.fixture()
def cli(tmp_path: Path, migrated_database_url: str) -> Cli:
    return Cli(tmp_path / "data", migrated_database_url)


async def audit_actions(engine: AsyncEngine) -> list[tuple[str, dict[str, object]]]:
    async with read_only(session_factory(engine)) as session:
        events = (await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars()
        return [(event.action, event.details) for event in events]


class TestDb:
    def test_current_upgrade_current(self, bare_cli: Cli) -> None:
        assert "Database at revision (empty)." in bare_cli("db", "current").stdout
        head = head_revision()
        assert f"Database at revision {head}." in bare_cli("db", "upgrade").stdout
        assert f"Database at revision {head}." in bare_cli("db", "current").stdout

    def test_bad_setting_exits_2_naming_it(self, bare_cli: Cli) -> None:
        result = bare_cli("db", "upgrade", expect=2, ZEROKEEP_DATABASE_URL="mysql://db/zk")
        assert "ZEROKEEP_DATABASE_URL" in result.stderr
        result = bare_cli("org", "list", expect=2, ZEROKEEP_PORT="abc")
        assert "port (ZEROKEEP_PORT)" in result.stderr


class TestOrg:
    async def test_create_and_list(self, cli: Cli, engine: AsyncEngine) -> None:
        org_id = cli.create_org("acme", "scale")
        cli.create_org("globex")
        listing = cli("org", "list").stdout
        assert re.search(rf"{org_id}\s.*acme\s.*scale\s.*off\s.*no\s.*\b30\b", listing)
        assert re.search(r"globex\s.*free\s.*off", listing)
        assert await audit_actions(engine) == [
            ("organization.created", {"plan": "scale"}),
            ("organization.created", {"plan": "free"}),
        ]

    def test_duplicate_slug_fails(self, cli: Cli) -> None:
        cli.create_org("acme")
        result = cli("org", "create", "Acme again", "--slug", "acme", expect=1)
        assert "already exists" in result.stderr

    async def test_zdr_on_then_leaving_scale_revokes_it(
        self, cli: Cli, engine: AsyncEngine
    ) -> None:
        cli.create_org("acme", "scale")
        assert "acme: ZDR active." in cli("org", "set-zdr", "acme", "on").stdout
        assert "acme: plan free, ZDR revoked." in cli("org", "set-plan", "acme", "free").stdout
        assert re.search(r"acme\s.*free\s.*revoked", cli("org", "list").stdout)
        assert (await audit_actions(engine))[-2:] == [
            ("organization.plan_changed", {"old": "scale", "new": "free"}),
            (
                "organization.zdr_changed",
                {"old": "active", "new": "revoked", "reason": "left_scale_plan"},
            ),
        ]

    def test_set_zdr_on_a_free_org_fails_asking_for_scale(self, cli: Cli) -> None:
        cli.create_org("acme")
        result = cli("org", "set-zdr", "acme", "on", expect=1)
        assert "ZDR requires the Scale plan: upgrade the organization first." in result.stderr
        assert re.search(r"acme\s.*free\s.*off", cli("org", "list").stdout)

    def test_set_plan_up_then_zdr_off(self, cli: Cli) -> None:
        cli.create_org("acme")
        assert "acme: plan scale, ZDR off." in cli("org", "set-plan", "acme", "scale").stdout
        cli("org", "set-zdr", "acme", "on")
        assert "acme: ZDR revoked." in cli("org", "set-zdr", "acme", "off").stdout

    def test_unknown_org_fails(self, cli: Cli) -> None:
        assert "No such organization." in cli("org", "set-plan", "ghost", "scale", expect=1).stderr

    def test_unknown_plan_is_a_usage_error(self, cli: Cli) -> None:
        cli.create_org("acme")
        cli("org", "set-plan", "acme", "platinum", expect=2)


class TestUser:
    async def test_create_with_password_on_stdin(self, cli: Cli, engine: AsyncEngine) -> None:
        cli.create_org("acme")
        out = cli(
            "user",
            "create",
            "Ada@Example.com",
            "--password-stdin",
            "--org",
            "acme",
            "--role",
            "owner",
            stdin=PASSWORD + "\n",
        ).stdout
        assert re.search(r"Created user usr_[0-9a-f]+ \(ada@example.com, owner of acme\)", out)
        async with read_only(session_factory(engine)) as session:
            user = (await session.execute(select(User))).scalar_one()
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        actions = [action for action, _ in await audit_actions(engine)]
        assert actions[-2:] == ["user.created", "member.added"]

    def test_staff_user(self, cli: Cli) -> None:
        out = cli(
            "user",
            "create",
            "ops@example.com",
            "--password-stdin",
            "--staff",
            stdin=PASSWORD + "\n",
        ).stdout
        assert "(ops@example.com, staff)" in out

    def test_short_password_fails(self, cli: Cli) -> None:
        result = cli("user", "create", "a@b.c", "--password-stdin", stdin="short\n", expect=1)
        assert "at least 12 characters" in result.stderr

    def test_no_password_source_fails(self, cli: Cli) -> None:
        assert "--password-stdin" in cli("user", "create", "a@b.c", expect=2).stderr


class TestKey:
    async def test_create_list_revoke(self, cli: Cli, engine: AsyncEngine) -> None:
        cli.create_org("acme")
        out = cli("key", "create", "--org", "acme", "--name", "ci").stdout
        key_id = re.search(r"Created key (key_[0-9a-f]+) \(ci\)", out).group(1)  # type: ignore[union-attr]
        plaintext = out.strip().splitlines()[-1]
        assert re.fullmatch(r"zk_[A-Za-z0-9]{42}", plaintext)

        secret = load_keys(Settings(data_dir=cli.data_dir)).api_key_hmac
        sessions = session_factory(engine)
        async with read_only(sessions) as session:
            found = await api_key_service.resolve(session, secret, plaintext)
        assert found is not None and found[0].id == key_id and found[1].slug == "acme"

        listing = cli("key", "list", "--org", "acme").stdout
        assert re.search(rf"{key_id}\s.*ci\s.*{re.escape(plaintext[:10])}\s", listing)
        assert plaintext not in listing

        assert (
            f"Revoked key {key_id} ({plaintext[:10]}...)."
            in cli("key", "revoke", key_id, "--org", "acme").stdout
        )
        async with read_only(sessions) as session:
            assert await api_key_service.resolve(session, secret, plaintext) is None
        cli("key", "revoke", key_id, "--org", "acme", expect=1)

    async def test_create_with_limits(self, cli: Cli, engine: AsyncEngine) -> None:
        cli.create_org("acme")
        out = cli(
            "key",
            "create",
            "--org",
            "acme",
            "--model",
            "m-b",
            "--model",
            "m-a",
            "--rpm",
            "5",
            "--tpm",
            "900",
            "--monthly-tokens",
            "70000",
        ).stdout
        key_id = re.search(r"Created key (key_[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
        async with read_only(session_factory(engine)) as session:
            key = await session.get(ApiKey, key_id)
        assert key is not None
        assert (key.allowed_models, key.requests_per_minute, key.tokens_per_minute) == (
            ["m-a", "m-b"],
            5,
            900,
        )
        assert key.monthly_token_budget == 70000
        assert "70000 tokens/month" in cli("key", "list", "--org", "acme").stdout

    async def test_org_set_budget_is_audited(self, cli: Cli, engine: AsyncEngine) -> None:
        cli.create_org("acme")
        out = cli("org", "set-budget", "acme", "--monthly-tokens", "1000000").stdout
        assert "monthly token budget 1000000" in out
        async with read_only(session_factory(engine)) as session:
            actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
        assert "organization.budget_changed" in actions
        assert "budget none" in cli("org", "set-budget", "acme").stdout

    def test_create_with_a_zero_limit_fails_naming_it(self, cli: Cli) -> None:
        cli.create_org("acme")
        assert (
            "requests_per_minute"
            in cli("key", "create", "--org", "acme", "--rpm", "0", expect=1).stderr
        )

    def test_revoking_from_another_org_is_not_found(self, cli: Cli) -> None:
        cli.create_org("acme")
        cli.create_org("globex")
        out = cli("key", "create", "--org", "acme").stdout
        key_id = re.search(r"Created key (key_[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
        assert "No such apikey" in cli("key", "revoke", key_id, "--org", "globex", expect=1).stderr


class TestAudit:
    async def test_verify_chain_then_tamper(self, cli: Cli, engine: AsyncEngine) -> None:
        cli.create_org("acme", "scale")
        cli("org", "set-zdr", "acme", "on")
        cli("key", "create", "--org", "acme")
        # organization.created, zdr_changed, data.purged (the archive, on ZDR), api_key.created
        assert "Audit chain intact: 4 events verified." in cli("audit", "verify-chain").stdout
        async with unit_of_work(session_factory(engine)) as session:
            await session.execute(
                update(AuditEvent)
                .where(AuditEvent.action == "organization.zdr_changed")
                .values(details={"old": "off", "new": "off", "reason": "staff_switch"})
            )
        result = cli("audit", "verify-chain", expect=1)
        assert re.search(r"Audit chain BROKEN at event \d+ \(1 events checked", result.stderr)

    def test_log(self, cli: Cli) -> None:
        acme = cli.create_org("acme", "scale")
        cli.create_org("globex")
        cli("org", "set-zdr", "acme", "on")
        log = cli("audit", "log").stdout
        assert re.search(
            r"organization\.zdr_changed\s.*new=active, old=off, reason=staff_switch", log
        )
        only_acme = cli("audit", "log", "--org", acme, "--limit", "2").stdout
        assert "organization.zdr_changed" in only_acme
        assert "organization.created" not in only_acme


class TestUsage:
    async def test_usage_summary(self, cli: Cli, engine: AsyncEngine) -> None:
        org_id = cli.create_org("acme")
        assert "No usage recorded yet." in cli("usage").stdout
        async with unit_of_work(session_factory(engine)) as session:
            for status in (200, 500):
                session.add(
                    UsageRecord(
                        organization_id=org_id,
                        api_key_id=None,
                        route="/v1/embeddings",
                        model="test-model",
                        status_code=status,
                        retention="none",
                        prompt_tokens=7,
                        completion_tokens=0,
                        total_tokens=7,
                        latency_ms=10,
                        bytes_in=100,
                        bytes_out=50,
                        is_stream=False,
                        created_at=SystemClock().now(),
                    )
                )
        out = cli("usage", "--org", "acme").stdout
        # Organizations are shown by slug (the name other commands take).
        assert re.search(r"acme\s.*/v1/embeddings\s.*test-model\s.*2\s.*1\s.*14\s", out)
        assert "No usage recorded yet." in cli("usage", "--org", cli.create_org("globex")).stdout
        # No price for test-model in the default configuration: tokens, and "no price".
        cost = cli("usage", "--org", "acme", "--cost").stdout
        assert re.search(rf"{org_id}\s.*-\s.*test-model\s.*2\s.*14\s.*0\s.*no price", cost)


class TestSubprocessSmoke:
    """The installed `zerokeep` script itself: migrate, write, read, and a usage error's exit."""

    def test_upgrade_create_list(self, tmp_path: Path, empty_database_url: str) -> None:
        cli = Cli(tmp_path / "data", empty_database_url, in_process=False)
        assert f"Database at revision {head_revision()}." in cli("db", "upgrade").stdout
        org_id = cli.create_org("acme", "scale")
        assert org_id in cli("org", "list").stdout
        cli("org", "set-plan", "acme", "platinum", expect=2)

    def test_bad_setting_exits_2(self, tmp_path: Path, empty_database_url: str) -> None:
        cli = Cli(tmp_path / "data", empty_database_url, in_process=False)
        result = cli("org", "list", expect=2, ZEROKEEP_PORT="abc")
        assert "port (ZEROKEEP_PORT)" in result.stderr
