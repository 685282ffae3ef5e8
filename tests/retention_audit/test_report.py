"""Report signing: a signed report verifies; one changed byte, or another key, does not."""

from __future__ import annotations

import copy
import json

from zerokeep.kit.crypto import derive_key
from zerokeep.kit.signing import canonical_json, public_key_of
from zerokeep.retention_audit.report import sign, verify

SEED = derive_key(b"m" * 48, "zerokeep/report-signing")
OTHER_SEED = derive_key(b"n" * 48, "zerokeep/report-signing")
BODY = {"verdict": "PASS", "sinks": [{"name": "sqlite", "findings": []}], "duration_ms": 1234}


class TestSigning:
    def test_signed_report_verifies(self) -> None:
        result = verify(sign(BODY, SEED))
        assert result.is_valid and result.verdict == "PASS"

    def test_verifies_against_the_pinned_key(self) -> None:
        assert verify(sign(BODY, SEED), public_key_of(SEED)).is_valid

    def test_another_key_fails_the_pin(self) -> None:
        result = verify(sign(BODY, OTHER_SEED), public_key_of(SEED))
        assert not result.is_valid
        assert "different key" in result.message

    def test_one_changed_byte_fails(self) -> None:
        document = sign(BODY, SEED)
        text = json.dumps(document)
        tampered = json.loads(text.replace('"duration_ms": 1234', '"duration_ms": 1235'))
        result = verify(tampered)
        assert not result.is_valid
        assert "modified" in result.message

    def test_a_re_signed_forgery_fails_only_the_pin(self) -> None:
        forged = copy.deepcopy(BODY)
        forged["verdict"] = "PASS"
        document = sign(forged, OTHER_SEED)
        assert verify(document).is_valid
        assert not verify(document, public_key_of(SEED)).is_valid

    def test_canonical_json_is_sorted_and_compact(self) -> None:
        assert canonical_json({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'

    def test_not_a_report(self) -> None:
        assert not verify({"hello": 1}).is_valid
        assert not verify([]).is_valid
