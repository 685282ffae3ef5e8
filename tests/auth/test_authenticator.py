"""auth.authenticator: bearer keys over HTTP (401 in the Mistral shape, never echoing the token),
and the Authenticator's one-second cache and fail-closed behaviour with a fake lookup."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.auth import authenticator as auth_module
from zerokeep.auth.authenticator import Authenticator
from zerokeep.auth.context import AuthContext
from zerokeep.errors import AuthenticationFailed, ServiceUnavailable
from zerokeep.kit.crypto import generate_token
from zerokeep.retention.policy import OrgPolicy, Plan, ZdrState

SECRET = b"h" * 32
ERROR_KEYS = {"object", "message", "type", "param", "code"}
CHAT_BODY = {"model": "test-model", "messages": [{"role": "user", "content": "hi"}]}


def assert_401(response: httpx.Response, *never_echoed: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert "zerokeep-retention" in response.headers
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["object"] == "error"
    assert body["type"] == "authentication_error"
    assert isinstance(body["message"], str) and body["message"]
    for text in never_echoed:
        if text:
            assert text not in response.text
            assert all(text not in value for value in response.headers.values())


class TestOverHttp:
    @pytest.mark.parametrize(
        "authorization",
        [
            "Basic {token}",
            "Token {token}",
            "{token}",
            "Bearer",
            "Bearer zk_malformed-{token}",
            "Bearer {token}x",
            "Bearer sk-{token}",
        ],
    )
    @pytest.mark.parametrize("path", ["/v1/models", "/v1/chat/completions"])
    def test_bad_authorization_is_401_without_echo(
        self, live_server: LiveServer, authorization: str, path: str
    ) -> None:
        _, key = live_server.new_organization()
        header = authorization.format(token=key)
        method = "GET" if path == "/v1/models" else "POST"
        response = httpx.request(
            method,
            live_server.base_url + path,
            headers={"Authorization": header},
            json=CHAT_BODY if method == "POST" else None,
        )
        assert_401(response, key, header.partition(" ")[2].strip())

    @pytest.mark.parametrize(
        "path", ["/v1/models", "/v1/models/test-model", "/v1/chat/completions"]
    )
    def test_missing_authorization_is_401(self, live_server: LiveServer, path: str) -> None:
        method = "POST" if path == "/v1/chat/completions" else "GET"
        response = httpx.request(
            method, live_server.base_url + path, json=CHAT_BODY if method == "POST" else None
        )
        assert_401(response)

    def test_unknown_well_formed_key_is_401(self, live_server: LiveServer) -> None:
        unknown = generate_token("zk")
        response = httpx.get(
            live_server.base_url + "/v1/models", headers={"Authorization": f"Bearer {unknown}"}
        )
        assert_401(response, unknown)

    def test_scheme_is_case_insensitive(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization()
        response = httpx.get(
            live_server.base_url + "/v1/models", headers={"Authorization": f"bearer {key}"}
        )
        assert response.status_code == 200


def context(key_id: str = "key_1") -> AuthContext:
    return AuthContext(
        api_key_id=key_id,
        organization_id="org_1",
        user_id=None,
        policy=OrgPolicy("org_1", Plan.SCALE, ZdrState.ACTIVE),
        requests_per_minute=60,
        tokens_per_minute=1000,
    )


class FakeLookup:
    """The policy store: known digests, a call counter, and a switch to make it unreachable."""

    def __init__(self) -> None:
        self.known: dict[str, AuthContext] = {}
        self.calls = 0
        self.failure: Exception | None = None
        self.gate: asyncio.Event | None = None  # when set, lookups wait for it
        self.entered = asyncio.Event()

    async def __call__(self, key_hash: str) -> AuthContext | None:
        self.calls += 1
        found = self.known.get(key_hash)  # the state as of the moment the query runs
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        return found

    def add(self, token: str, found: AuthContext) -> None:
        digest = api_key_service.digest(SECRET, token)
        assert digest is not None
        self.known[digest] = found


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(auth_module, "time", fake)
    return fake


@pytest.fixture()
def lookup() -> FakeLookup:
    return FakeLookup()


@pytest.fixture()
def authenticator(lookup: FakeLookup, clock: FakeTime) -> Authenticator:
    return Authenticator(lookup, lambda token: api_key_service.digest(SECRET, token))


async def settle(authenticator: Authenticator) -> None:
    """Wait for background refreshes started by a stale hit."""
    await asyncio.gather(*authenticator._inflight.values(), return_exceptions=True)


class TestAuthenticator:
    async def test_known_key(self, authenticator: Authenticator, lookup: FakeLookup) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        assert await authenticator.authenticate(f"Bearer {token}") == context()

    @pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer zk_nope"])
    async def test_bad_headers_fail_without_a_lookup(
        self, authenticator: Authenticator, lookup: FakeLookup, header: str | None
    ) -> None:
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(header)
        assert lookup.calls == 0

    async def test_unknown_key_fails(self, authenticator: Authenticator) -> None:
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(f"Bearer {generate_token('zk')}")

    async def test_fresh_entries_need_no_lookup(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        clock.now += 0.4
        await authenticator.authenticate(f"Bearer {token}")
        await settle(authenticator)
        assert lookup.calls == 1

    async def test_unknown_keys_are_cached_too(
        self, authenticator: Authenticator, lookup: FakeLookup
    ) -> None:
        header = f"Bearer {generate_token('zk')}"
        for _ in range(3):
            with pytest.raises(AuthenticationFailed):
                await authenticator.authenticate(header)
        assert lookup.calls == 1

    async def test_a_stale_entry_is_served_while_one_lookup_refreshes_it(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.known.clear()  # revoked
        clock.now += 0.7
        assert await authenticator.authenticate(f"Bearer {token}") == context()
        assert await authenticator.authenticate(f"Bearer {token}") == context()
        await settle(authenticator)
        assert lookup.calls == 2
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(f"Bearer {token}")

    async def test_a_revocation_applies_within_one_second_without_traffic(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.known.clear()
        clock.now += 1.0
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(f"Bearer {token}")
        assert lookup.calls == 2

    async def test_concurrent_misses_share_one_lookup(
        self, authenticator: Authenticator, lookup: FakeLookup
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        lookup.gate = asyncio.Event()
        calls = [authenticator.authenticate(f"Bearer {token}") for _ in range(5)]
        waiting = asyncio.gather(*calls)
        await asyncio.wait_for(lookup.entered.wait(), timeout=5)
        lookup.gate.set()
        assert await asyncio.wait_for(waiting, timeout=5) == [context()] * 5
        assert lookup.calls == 1

    async def test_invalidate_all_applies_at_once(
        self, authenticator: Authenticator, lookup: FakeLookup
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.known.clear()
        authenticator.invalidate_all()
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(f"Bearer {token}")
        assert lookup.calls == 2

    async def test_invalidate_all_also_drops_lookups_in_flight(
        self, authenticator: Authenticator, lookup: FakeLookup
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        lookup.gate = asyncio.Event()
        before = asyncio.ensure_future(authenticator.authenticate(f"Bearer {token}"))
        await asyncio.wait_for(lookup.entered.wait(), timeout=5)  # read the old state
        lookup.known.clear()  # the key is revoked and committed...
        authenticator.invalidate_all()  # ...and this replica invalidates at once
        after = asyncio.ensure_future(authenticator.authenticate(f"Bearer {token}"))
        lookup.gate.set()
        await asyncio.wait_for(before, timeout=5)
        with pytest.raises(AuthenticationFailed):
            await asyncio.wait_for(after, timeout=5)

    async def test_a_full_cache_is_cleared_not_grown(
        self, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        authenticator = Authenticator(
            lookup, lambda token: api_key_service.digest(SECRET, token), max_entries=2
        )
        first = generate_token("zk")
        lookup.add(first, context())
        await authenticator.authenticate(f"Bearer {first}")
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                await authenticator.authenticate(f"Bearer {generate_token('zk')}")
        await authenticator.authenticate(f"Bearer {first}")
        assert lookup.calls == 4
        assert len(authenticator._cache) <= 2


class TestFailClosed:
    @pytest.mark.parametrize(
        "failure", [OperationalError("SELECT", {}, Exception("down")), OSError(), TimeoutError()]
    )
    async def test_recently_seen_key_keeps_working_with_no_policy(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime, failure: Exception
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.failure = failure
        clock.now += 5
        degraded = await authenticator.authenticate(f"Bearer {token}")
        assert degraded.policy is None
        assert degraded.api_key_id == "key_1"
        assert degraded.organization_id == "org_1"
        assert (degraded.requests_per_minute, degraded.tokens_per_minute) == (60, 1000)

    async def test_unseen_key_is_503(
        self, authenticator: Authenticator, lookup: FakeLookup
    ) -> None:
        lookup.failure = OperationalError("SELECT", {}, Exception("down"))
        with pytest.raises(ServiceUnavailable) as raised:
            await authenticator.authenticate(f"Bearer {generate_token('zk')}")
        assert raised.value.status_code == 503

    async def test_a_key_seen_as_unknown_is_not_let_in(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        header = f"Bearer {generate_token('zk')}"
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(header)
        lookup.failure = OperationalError("SELECT", {}, Exception("down"))
        clock.now += 5
        with pytest.raises(ServiceUnavailable):
            await authenticator.authenticate(header)

    async def test_stale_grace_expires(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.failure = OSError()
        clock.now += 301
        with pytest.raises(ServiceUnavailable):
            await authenticator.authenticate(f"Bearer {token}")

    async def test_recovery_restores_the_policy(
        self, authenticator: Authenticator, lookup: FakeLookup, clock: FakeTime
    ) -> None:
        token = generate_token("zk")
        lookup.add(token, context())
        await authenticator.authenticate(f"Bearer {token}")
        lookup.failure = OSError()
        clock.now += 2
        assert (await authenticator.authenticate(f"Bearer {token}")).policy is None
        lookup.failure = None
        assert (await authenticator.authenticate(f"Bearer {token}")).policy is not None
