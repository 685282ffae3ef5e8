"""console.session: signed cookies that cannot be forged, extended, replayed after expiry, or
lose the session_version the console checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from zerokeep.console.session import (
    ConsoleSession,
    _b64,
    _signature,
    csrf_matches,
    decode,
    encode,
)

KEY = b"k" * 32
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


class TestCodec:
    def test_round_trip(self) -> None:
        session = ConsoleSession.new(NOW, "usr_1")
        assert decode(KEY, encode(KEY, session), NOW) == session

    def test_another_key_or_a_changed_payload_reads_as_none(self) -> None:
        value = encode(KEY, ConsoleSession.new(NOW, "usr_1"))
        assert decode(b"x" * 32, value, NOW) is None
        forged = encode(b"x" * 32, ConsoleSession.new(NOW, "usr_2")).split(".")[0]
        assert decode(KEY, forged + "." + value.split(".")[1], NOW) is None

    def test_expiry(self) -> None:
        value = encode(KEY, ConsoleSession.new(NOW, "usr_1"))
        assert decode(KEY, value, NOW + timedelta(hours=7, minutes=59)) is not None
        assert decode(KEY, value, NOW + timedelta(hours=8)) is None

    def test_anonymous_session_is_short(self) -> None:
        assert ConsoleSession.new(NOW).max_age(NOW) == 3600

    def test_garbage_reads_as_none(self) -> None:
        for value in (None, "", "abc", "a.b.c", "!!!.???"):
            assert decode(KEY, value, NOW) is None


class TestCsrf:
    def test_only_the_session_token_matches(self) -> None:
        session = ConsoleSession.new(NOW, "usr_1")
        assert csrf_matches(session, session.csrf_token)
        assert not csrf_matches(session, "other")
        assert not csrf_matches(session, None)
        assert not csrf_matches(session, "")
        assert not csrf_matches(None, session.csrf_token)

    def test_tokens_differ_per_session(self) -> None:
        assert ConsoleSession.new(NOW).csrf_token != ConsoleSession.new(NOW).csrf_token


class TestSessionVersion:
    def test_the_version_is_signed_into_the_cookie(self) -> None:
        session = ConsoleSession.new(NOW, "usr_1", session_version=7)
        decoded = decode(KEY, encode(KEY, session), NOW)
        assert decoded is not None and decoded.session_version == 7

    def test_a_cookie_without_a_version_reads_as_none(self) -> None:
        # Cookies issued before revocation existed cannot be revoked, so they are refused.
        body = {"u": "usr_1", "c": "token", "e": int(NOW.timestamp()) + 60}
        payload = _b64(orjson.dumps(body))
        assert decode(KEY, f"{payload}.{_signature(KEY, payload)}", NOW) is None
        for version in ("1", True, None, 1.5):
            payload = _b64(orjson.dumps({**body, "v": version}))
            assert decode(KEY, f"{payload}.{_signature(KEY, payload)}", NOW) is None
