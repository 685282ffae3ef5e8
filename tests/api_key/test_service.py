"""api_key.service: the key lifecycle over real HTTP, and keys stored only as an HMAC."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from mistralai.client import Mistral
from mistralai.client.errors import MistralError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.db import read_only, unit_of_work
from zerokeep.errors import Conflict, InvalidRequest, NotFound
from zerokeep.kit.crypto import generate_token, hmac_digest
from zerokeep.models import ApiKey, AuditEvent, Organization

T = TypeVar("T")


def in_session(server: LiveServer, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one unit of work on the server's loop, then drop its auth cache."""

    async def run() -> T:
        async with unit_of_work(server.state.sessions) as session:
            return await work(session)

    result = server.run(run())
    server.state.policy_changed()
    return result


def create_key(server: LiveServer, organization_id: str, name: str = "ci") -> tuple[ApiKey, str]:
    async def work(session: AsyncSession) -> tuple[ApiKey, str]:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        return await api_key_service.create(
            session, CLI, server.state.keys.api_key_hmac, organization, name=name
        )

    return in_session(server, work)


def revoke_key(server: LiveServer, organization_id: str, key_id: str) -> ApiKey:
    return in_session(
        server, lambda session: api_key_service.revoke(session, CLI, organization_id, key_id)
    )


def rows(server: LiveServer, model: type[Any]) -> list[Any]:
    async def work() -> list[Any]:
        async with read_only(server.state.sessions) as session:
            return list((await session.execute(select(model))).scalars())

    return server.run(work())


class TestLifecycle:
    def test_create_use_revoke_use_again(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, plaintext = create_key(live_server, organization_id)
        client = Mistral(api_key=plaintext, server_url=live_server.base_url)
        assert "test-model" in {model.id for model in client.models.list().data}

        revoked = revoke_key(live_server, organization_id, api_key.id)
        assert revoked.revoked_at is not None
        with pytest.raises(MistralError) as raised:
            client.models.list()
        assert raised.value.status_code == 401
        assert plaintext not in raised.value.body

    def test_revoking_one_key_leaves_the_others_working(self, live_server: LiveServer) -> None:
        organization_id, other_key = live_server.new_organization()
        api_key, _ = create_key(live_server, organization_id)
        revoke_key(live_server, organization_id, api_key.id)
        client = Mistral(api_key=other_key, server_url=live_server.base_url)
        assert client.models.list().data

    def test_revoking_twice_is_a_conflict(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, _ = create_key(live_server, organization_id)
        revoke_key(live_server, organization_id, api_key.id)
        with pytest.raises(Conflict, match="already revoked"):
            revoke_key(live_server, organization_id, api_key.id)

    def test_another_organizations_key_is_not_found(self, live_server: LiveServer) -> None:
        owner_id, _ = live_server.new_organization()
        intruder_id, _ = live_server.new_organization()
        api_key, plaintext = create_key(live_server, owner_id)
        with pytest.raises(NotFound):
            revoke_key(live_server, intruder_id, api_key.id)
        assert Mistral(api_key=plaintext, server_url=live_server.base_url).models.list().data

    def test_create_and_revoke_are_audited(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, _ = create_key(live_server, organization_id)
        revoke_key(live_server, organization_id, api_key.id)
        # Without ORDER BY, PostgreSQL may return rows in any order: the chain's ids are ordered.
        audited = sorted(rows(live_server, AuditEvent), key=lambda event: event.id)
        events = [e for e in audited if e.target == api_key.id]
        assert [e.action for e in events] == ["api_key.created", "api_key.revoked"]
        assert all(e.details == {"display_prefix": api_key.display_prefix} for e in events)

    def test_a_blank_name_is_refused(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        with pytest.raises(InvalidRequest) as raised:
            create_key(live_server, organization_id, name="   ")
        assert raised.value.param == "name"

    def test_list_for_returns_the_organizations_keys_only(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        other_id, _ = live_server.new_organization()
        created, _ = create_key(live_server, organization_id, name="second")
        listed = in_session(
            live_server, lambda session: api_key_service.list_for(session, organization_id)
        )
        assert {key.name for key in listed} == {"test", "second"}
        assert created.id in {key.id for key in listed}
        assert all(key.organization_id == organization_id for key in listed)
        assert other_id not in {key.organization_id for key in listed}


class TestStorage:
    def test_only_the_hmac_is_stored(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, plaintext = create_key(live_server, organization_id)
        stored = next(row for row in rows(live_server, ApiKey) if row.id == api_key.id)
        assert stored.key_hash == hmac_digest(live_server.state.keys.api_key_hmac, plaintext)
        assert re.fullmatch(r"[0-9a-f]{64}", stored.key_hash)

    def test_the_plaintext_is_nowhere_in_the_key_rows_or_the_audit_log(
        self, live_server: LiveServer
    ) -> None:
        organization_id, _ = live_server.new_organization()
        _, plaintext = create_key(live_server, organization_id)
        secret_part = plaintext[len("zk_") + 10 :]  # what the display prefix does not show
        for row in rows(live_server, ApiKey) + rows(live_server, AuditEvent):
            for column in row.__table__.columns:
                value = str(getattr(row, column.key))
                assert plaintext not in value
                assert secret_part not in value

    def test_display_prefix_is_the_first_ten_characters(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, plaintext = create_key(live_server, organization_id)
        assert api_key.display_prefix == plaintext[:10]
        assert api_key.display_prefix.startswith("zk_")


class TestResolve:
    def test_resolves_an_active_key_to_its_organization(self, live_server: LiveServer) -> None:
        organization_id, plaintext = live_server.new_organization()
        found = in_session(
            live_server,
            lambda s: api_key_service.resolve(s, live_server.state.keys.api_key_hmac, plaintext),
        )
        assert found is not None
        assert found[1].id == organization_id

    @pytest.mark.parametrize("token", ["", "zk_short", "sk-" + "a" * 40])
    def test_malformed_tokens_resolve_to_nothing(self, live_server: LiveServer, token: str) -> None:
        secret = live_server.state.keys.api_key_hmac
        assert in_session(live_server, lambda s: api_key_service.resolve(s, secret, token)) is None
        assert api_key_service.digest(secret, token) is None

    def test_unknown_and_revoked_keys_resolve_to_nothing(self, live_server: LiveServer) -> None:
        organization_id, _ = live_server.new_organization()
        api_key, plaintext = create_key(live_server, organization_id)
        revoke_key(live_server, organization_id, api_key.id)
        secret = live_server.state.keys.api_key_hmac
        for token in (plaintext, generate_token("zk")):
            assert (
                in_session(live_server, lambda s, t=token: api_key_service.resolve(s, secret, t))
                is None
            )

    def test_a_key_digested_with_another_secret_does_not_resolve(
        self, live_server: LiveServer
    ) -> None:
        _, plaintext = live_server.new_organization()
        other = b"another-deployment".ljust(32, b"x")
        assert (
            in_session(live_server, lambda s: api_key_service.resolve(s, other, plaintext)) is None
        )
