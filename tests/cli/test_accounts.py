"""Account management from the CLI (issue 13, item 6): a second organization for an existing
user, the user list, disable/enable, a new password, a one-time reset link by email; each
change audited."""

from __future__ import annotations

import asyncio
import json
import mailbox
import os

from sqlalchemy import select

from tests.cli.test_first_hour import PASSWORD, Cli, cli, one_line
from zerokeep.db import create_engine, read_only, session_factory
from zerokeep.models import EmailMessage

__all__ = ["cli"]


async def stored_bodies(cli: Cli) -> list[str]:
    engine = create_engine(os.environ["ZEROKEEP_DATABASE_URL"])
    try:
        async with read_only(session_factory(engine)) as session:
            return list((await session.execute(select(EmailMessage.body))).scalars())
    finally:
        await engine.dispose()


class TestAccounts:
    def test_a_user_joins_a_second_organization_and_is_listed(self, cli: Cli) -> None:
        cli("db", "upgrade")
        cli("org", "create", "First", "--slug", "first")
        cli("org", "create", "Second", "--slug", "second")
        cli("user", "create", "ada@example.test", "--org", "first", "--role", "owner",
            "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        again = cli("user", "create", "ada@example.test", "--org", "second", "--password-stdin",
                    stdin=PASSWORD + "\n", expect=1)  # fmt: skip
        assert "already exists" in again.stderr
        cli("user", "add-to-org", "ada@example.test", "--org", "second", "--role", "admin")
        (row,) = json.loads(cli("user", "list", "--json").stdout)
        assert row["email"] == "ada@example.test" and row["status"] == "active"
        assert sorted(row["organizations"]) == ["first:owner", "second:admin"]

    def test_disable_enable_and_passwords_are_audited(self, cli: Cli) -> None:
        cli("db", "upgrade")
        cli("user", "create", "bob@example.test", "--password-stdin", stdin=PASSWORD + "\n")
        cli("user", "disable", "bob@example.test")
        assert json.loads(cli("user", "list", "--json").stdout)[0]["status"] == "disabled"
        cli("user", "reset-password", "bob@example.test", expect=1)  # disabled: no link
        cli("user", "enable", "bob@example.test")
        short = cli("user", "set-password", "bob@example.test", "--password-stdin", stdin="short\n",
                    expect=1)  # fmt: skip
        assert "at least 12 characters" in short.stderr
        cli("user", "set-password", "bob@example.test", "--password-stdin", stdin=PASSWORD + "!\n")
        cli("user", "reset-password", "bob@example.test")
        cli("email", "send-pending")
        (message,) = list(mailbox.Maildir(cli.data_dir / "outbox", create=False))
        assert "/console/reset/" in message.get_payload()
        # Once sent, the outbox row no longer holds the link (it is a credential).
        assert all("/reset/" not in body for body in asyncio.run(stored_bodies(cli)))
        log = cli("audit", "log").stdout
        for action in ("user.disabled", "user.enabled", "user.password_changed",
                       "user.password_reset_requested"):  # fmt: skip
            assert action in log

    def test_unknown_user_is_one_line(self, cli: Cli) -> None:
        cli("db", "upgrade")
        assert "No user has the email" in one_line(cli("user", "disable", "x@y.z", expect=1))
