"""Canary encodings and the scanner: every form is found, at the right offset, across chunk
boundaries; names that hold a canary are redacted."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from zerokeep.retention_audit import canary as canary_module
from zerokeep.retention_audit.canary import Canary, Scanner, canary_forms


class TestCanaryForms:
    def test_each_encoding_is_found_in_what_a_sink_would_write(self) -> None:
        canary = Canary.new("zdr")
        token = canary.token
        scanner = Scanner([canary])
        written = {
            "plain": token.encode(),
            "json-escaped": json.dumps("".join(f"\\u{ord(c):04x}" for c in token))[1:-1]
            .replace("\\\\", "\\")
            .encode(),
            "url-encoded": "".join(f"%{b:02X}" for b in token.encode()).encode(),
            "utf-16-le": token.encode("utf-16-le"),
            "utf-16-be": token.encode("utf-16-be"),
            "hex": b"\\x" + token.encode().hex().encode(),
        }
        for shift in range(3):
            written[f"base64+{shift}"] = base64.b64encode(b"ab"[:shift] + token.encode())
        for encoding, data in written.items():
            hits = scanner.scan_bytes(b"prefix " + data + b" suffix")
            assert encoding in {hit.encoding for hit in hits}, encoding
        for shift in range(3):
            data = base64.urlsafe_b64encode(b"xy"[:shift] + token.encode())
            assert scanner.scan_bytes(data), f"base64url+{shift}"

    def test_json_dumps_of_a_prompt_keeps_the_token_findable(self) -> None:
        canary = Canary.new("zdr")
        dumped = json.dumps({"content": canary.prompt()}).encode()  # ensure_ascii escapes « ñ
        assert b"\\u00ab" in dumped
        assert [hit.encoding for hit in Scanner([canary]).scan_bytes(dumped)] == ["plain"]

    def test_forms_are_distinct_and_never_empty(self) -> None:
        forms = canary_forms(Canary.new("zdr").token)
        assert all(len(pattern) >= 16 for pattern in forms.values())
        assert len(set(forms.values())) == len(forms)

    def test_repr_hides_the_token(self) -> None:
        canary = Canary.new("zdr")
        assert canary.token not in repr(canary)


class TestScanner:
    def test_offset_is_reported(self) -> None:
        canary = Canary.new("control")
        hits = Scanner([canary]).scan_bytes(b"0123456789" + canary.token.encode())
        assert [(hit.canary, hit.encoding, hit.offset) for hit in hits] == [
            ("control", "plain", 10)
        ]

    def test_file_scan_finds_a_canary_split_across_chunks(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        canary = Canary.new("zdr")
        path = tmp_path / "blob"
        path.write_bytes(b"a" * 1000 + canary.token.encode("utf-16-le") + b"b" * 1000)
        monkeypatch.setattr(canary_module, "CHUNK_BYTES", 1010)
        size, hits = Scanner([canary]).scan_file(path)
        assert size == path.stat().st_size
        assert [(hit.encoding, hit.offset) for hit in hits] == [("utf-16-le", 1000)]

    def test_clean_data_has_no_hits(self) -> None:
        assert Scanner([Canary.new("zdr")]).scan_bytes(b"ZKCANARY" + b"0" * 64) == []

    def test_redact_hides_a_canary_in_a_name(self) -> None:
        canary = Canary.new("zdr")
        redacted = Scanner([canary]).redact(f"uploads/{canary.token}.wav")
        assert canary.token not in redacted
        assert redacted == "uploads/<zdr-canary:plain>.wav"
