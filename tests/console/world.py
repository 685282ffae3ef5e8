"""Builds console test worlds through the services, on the live server's loop."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx

from tests.harness import LiveServer
from zerokeep.audit.actions import CLI
from zerokeep.db import unit_of_work
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.user import service as user_service
from zerokeep.user.roles import Role

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    email: str
    password: str = PASSWORD


@dataclass(frozen=True, slots=True)
class World:
    """Organization A (owner, admin, member), organization B (its owner), and a staff user."""

    org_a: str
    org_a_name: str
    org_b: str
    org_b_name: str
    owner: Person
    admin: Person
    member: Person
    owner_b: Person
    staff: Person


def build_world(server: LiveServer, *, plan: Plan = Plan.SCALE) -> World:
    tag = uuid.uuid4().hex[:8]

    async def work() -> World:
        async with unit_of_work(server.state.sessions) as session:
            org_a = await organization_service.create(session, CLI, name=f"Acme {tag}", plan=plan)
            org_b = await organization_service.create(session, CLI, name=f"Globex {tag}", plan=plan)
            people: dict[str, Person] = {}
            for name, organization, role in (
                ("owner", org_a, Role.OWNER),
                ("admin", org_a, Role.ADMIN),
                ("member", org_a, Role.MEMBER),
                ("owner_b", org_b, Role.OWNER),
            ):
                email = f"{name}-{tag}@example.test"
                user = await user_service.create(session, CLI, email=email, password=PASSWORD)
                await user_service.add_member(session, CLI, organization, user, role)
                people[name] = Person(user.id, email)
            staff = await user_service.create(
                session, CLI, email=f"staff-{tag}@example.test", password=PASSWORD, is_staff=True
            )
            return World(
                org_a=org_a.id,
                org_a_name=org_a.name,
                org_b=org_b.id,
                org_b_name=org_b.name,
                staff=Person(staff.id, staff.email),
                **people,
            )

    return server.run(work())


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class ConsoleClient:
    """An httpx client logged in to the console, which knows its CSRF token."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.base_url + "/console", follow_redirects=False)
        self.token = ""

    def login(self, person: Person, password: str | None = None) -> httpx.Response:
        page = self.http.get("/login")
        response = self.http.post(
            "/login",
            data={
                "email": person.email,
                "password": password or person.password,
                "csrf_token": csrf_token(page.text),
            },
        )
        if response.status_code == 303:
            # The session (and its token) is new after login; any page carries it.
            self.token = csrf_token(self.http.get("/", follow_redirects=True).text)
        return response

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post(self, path: str, **data: str) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.token, **data})

    def close(self) -> None:
        self.http.close()
