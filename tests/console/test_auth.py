"""console.auth over real HTTP (httpx): logout and lockout end every session of the user on the
server (a copied cookie is refused), and every login, failure, lockout and logout is audited
with the user id as target and without the typed email or password."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from tests.console.world import ConsoleClient, Person, World, build_world
from tests.harness import LiveServer
from zerokeep.console.session import COOKIE_NAME
from zerokeep.db import read_only
from zerokeep.models import AuditEvent

WRONG_PASSWORD = "wrong password, typed by someone"


@dataclass(frozen=True, slots=True)
class Row:
    actor: str
    action: str
    target: str
    organization_id: str | None
    details: dict[str, str | int | bool | None]


@pytest.fixture()
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


@pytest.fixture()
def clients(live_server: LiveServer) -> Iterator[list[ConsoleClient]]:
    made: list[ConsoleClient] = []
    yield made
    for client in made:
        client.close()


def new_client(server: LiveServer, clients: list[ConsoleClient]) -> ConsoleClient:
    client = ConsoleClient(server)
    clients.append(client)
    return client


def copy_of(server: LiveServer, client: ConsoleClient) -> httpx.Client:
    """A second client holding a copy of `client`'s session cookie (a stolen cookie)."""
    copy = httpx.Client(base_url=server.base_url + "/console", follow_redirects=False)
    copy.cookies.set(COOKIE_NAME, client.http.cookies[COOKIE_NAME], path="/console")
    return copy


def last_event_id(server: LiveServer) -> int:
    async def work() -> int:
        async with read_only(server.state.sessions) as session:
            return int((await session.execute(select(func.max(AuditEvent.id)))).scalar() or 0)

    return server.run(work())


def events_after(server: LiveServer, event_id: int) -> list[Row]:
    async def work() -> list[Row]:
        async with read_only(server.state.sessions) as session:
            stmt = select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id)
            return [
                Row(e.actor, e.action, e.target, e.organization_id, dict(e.details))
                for e in (await session.execute(stmt)).scalars()
            ]

    return server.run(work())


def assert_nothing_typed(rows: list[Row], person: Person, *typed: str) -> None:
    """No row keeps the email or anything typed as a password, in any column."""
    for row in rows:
        stored = orjson.dumps([row.actor, row.target, row.organization_id, row.details]).decode()
        for secret in (person.email, person.email.split("@")[0], person.password, *typed):
            assert secret not in stored, (secret, row)
        assert all(isinstance(v, str | int | bool) or v is None for v in row.details.values())


class TestLogoutRevokes:
    def test_a_cookie_copied_before_logout_is_refused_after(
        self, live_server: LiveServer, world: World, clients: list[ConsoleClient]
    ) -> None:
        owner = new_client(live_server, clients)
        assert owner.login(world.owner).status_code == 303
        token = owner.token
        with copy_of(live_server, owner) as stolen:
            assert stolen.get(f"/orgs/{world.org_a}").status_code == 200
            logged_out = owner.post("/logout")
            assert logged_out.status_code == 303
            notice = owner.get(logged_out.headers["location"].removeprefix("/console"))
            assert "every session of this account has ended" in notice.text

            refused = stolen.get(f"/orgs/{world.org_a}")
            assert refused.status_code == 303
            assert refused.headers["location"] == "/console/login"
            path = f"/orgs/{world.org_a}/privacy/training"
            post = stolen.post(path, data={"csrf_token": token, "training_opt_out": "on"})
            assert post.status_code == 401
            # The login page does not take the dead cookie for a session (no redirect loop).
            assert stolen.get("/login").status_code == 200

    def test_logout_ends_every_session_of_the_user(
        self, live_server: LiveServer, world: World, clients: list[ConsoleClient]
    ) -> None:
        laptop, phone = new_client(live_server, clients), new_client(live_server, clients)
        assert laptop.login(world.admin).status_code == 303
        assert phone.login(world.admin).status_code == 303
        assert laptop.post("/logout").status_code == 303
        assert phone.get(f"/orgs/{world.org_a}").status_code == 303
        # Other users keep their sessions, and the user can log in again.
        owner = new_client(live_server, clients)
        assert owner.login(world.owner).status_code == 303
        assert laptop.login(world.admin).status_code == 303
        assert laptop.get(f"/orgs/{world.org_a}").status_code == 200
        assert owner.get(f"/orgs/{world.org_a}").status_code == 200


class TestLockoutRevokes:
    def test_a_cookie_from_before_a_lockout_is_refused(
        self, live_server: LiveServer, world: World, clients: list[ConsoleClient]
    ) -> None:
        member = new_client(live_server, clients)
        assert member.login(world.member).status_code == 303
        with copy_of(live_server, member) as stolen:
            assert stolen.get(f"/orgs/{world.org_a}").status_code == 200
            guesser = new_client(live_server, clients)
            for _ in range(4):
                assert guesser.login(world.member, WRONG_PASSWORD).status_code == 401
            assert member.get(f"/orgs/{world.org_a}").status_code == 200  # not yet locked
            assert guesser.login(world.member, WRONG_PASSWORD).status_code == 429
            assert stolen.get(f"/orgs/{world.org_a}").status_code == 303
        assert member.get(f"/orgs/{world.org_a}").status_code == 303


class TestLoginAudit:
    def test_success_failure_lockout_and_logout_are_audited(
        self, live_server: LiveServer, world: World, clients: list[ConsoleClient]
    ) -> None:
        person, user_actor = world.admin, f"user:{world.admin.id}"
        before = last_event_id(live_server)
        client = new_client(live_server, clients)
        assert client.login(person).status_code == 303
        assert client.post("/logout").status_code == 303
        for _ in range(5):
            client.login(person, WRONG_PASSWORD)
        assert client.login(person).status_code == 429  # the right password, while locked

        rows = events_after(live_server, before)
        assert [(r.actor, r.action) for r in rows] == [
            (user_actor, "console.login_succeeded"),
            (user_actor, "console.logged_out"),
            *[("anonymous", "console.login_failed")] * 5,
            ("system", "console.locked_out"),
            ("anonymous", "console.login_failed"),
        ]
        assert {r.target for r in rows} == {person.id}
        assert {r.organization_id for r in rows} == {None}
        failures = [r.details for r in rows if r.action == "console.login_failed"]
        assert failures[:5] == [
            {"reason": "wrong_password", "failed_count": n} for n in range(1, 6)
        ]
        assert failures[5] == {"reason": "locked", "failed_count": None}
        locked = next(r for r in rows if r.action == "console.locked_out")
        assert set(locked.details) == {"failed_count", "locked_until"}
        assert locked.details["failed_count"] == 5
        assert_nothing_typed(rows, person, WRONG_PASSWORD)

    def test_an_unknown_email_records_nothing(
        self, live_server: LiveServer, clients: list[ConsoleClient]
    ) -> None:
        stranger = Person("usr_none", "typed-by-a-stranger@example.test", WRONG_PASSWORD)
        before = last_event_id(live_server)
        client = new_client(live_server, clients)
        for _ in range(6):
            assert client.login(stranger).status_code == 401
        assert events_after(live_server, before) == []

    def test_the_chain_stays_intact(
        self, live_server: LiveServer, world: World, clients: list[ConsoleClient]
    ) -> None:
        client = new_client(live_server, clients)
        client.login(world.owner, WRONG_PASSWORD)
        assert client.login(world.staff).status_code == 303
        assert "Audit chain intact" in client.get("/staff/audit").text
