"""Canaries: unique tokens the audit sends, and a scanner that finds them in any encoding a sink
could use: plain UTF-8, JSON \\u-escapes, URL (percent) encoding, base64 and base64url at every
byte alignment, UTF-16 LE/BE, and hex (PostgreSQL renders bytea as hex).

A hit reports the canary's label, the encoding and the byte offset: never the bytes around it.

    scanner = Scanner([Canary.new("zdr")])
    hits = scanner.scan_bytes(b"...ZKCANARY...")      # [Hit("zdr", "plain", 3)]
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CANARY_PREFIX = "ZKCANARY"
CHUNK_BYTES = 4 * 1024 * 1024
MAX_HITS_PER_PATTERN = 5  # per object (a file, a row): enough to locate, bounded in size


@dataclass(frozen=True, slots=True, repr=False)
class Canary:
    """One canary: `label` names whose traffic carried it ("zdr", "control")."""

    label: str
    token: str

    @classmethod
    def new(cls, label: str) -> Canary:
        return cls(label, f"{CANARY_PREFIX}{uuid.uuid4().hex.upper()}")

    @property
    def fingerprint(self) -> str:
        """A SHA-256 of the token: identifies the canary in a report without revealing it."""
        return hashlib.sha256(self.token.encode()).hexdigest()

    def prompt(self, lead: str = "tell me about") -> str:
        # Non-ASCII neighbours make JSON encoders escape the text around the token.
        return f"{lead} «{self.token}» — ñandú"

    def __repr__(self) -> str:
        return f"<Canary {self.label} redacted>"


def _base64_forms(raw: bytes, name: str, urlsafe: bool) -> dict[str, bytes]:
    forms: dict[str, bytes] = {}
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    for shift in range(3):
        encoded = encode(b"\x00" * shift + raw)
        # Keep the stable middle: the ends depend on the neighbouring bytes.
        start = 4 if shift else 0
        forms[f"{name}+{shift}"] = encoded[start : len(encoded) - 4]
    return forms


def canary_forms(token: str) -> dict[str, bytes]:
    """Byte patterns that reveal `token`, by encoding name."""
    raw = token.encode()
    forms = {
        "plain": raw,
        "json-escaped": "".join(f"\\u{ord(char):04x}" for char in token).encode(),
        "json-escaped-upper": "".join(f"\\u{ord(char):04X}" for char in token).encode(),
        "url-encoded": "".join(f"%{byte:02X}" for byte in raw).encode(),
        "url-encoded-lower": "".join(f"%{byte:02x}" for byte in raw).encode(),
        "utf-16-le": token.encode("utf-16-le"),
        "utf-16-be": token.encode("utf-16-be"),
        "hex": raw.hex().encode(),
        "hex-upper": raw.hex().upper().encode(),
    }
    forms.update(_base64_forms(raw, "base64", urlsafe=False))
    forms.update(_base64_forms(raw, "base64url", urlsafe=True))
    # base64url equals base64 unless the encoding has a + or /: keep each pattern once.
    unique: dict[str, bytes] = {}
    for name, pattern in forms.items():
        if pattern not in unique.values():
            unique[name] = pattern
    return unique


@dataclass(frozen=True, slots=True)
class Hit:
    canary: str
    encoding: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Pattern:
    canary: str
    encoding: str
    needle: bytes


class Scanner:
    """Finds every canary, in every encoding, in bytes, files and names."""

    def __init__(self, canaries: list[Canary]) -> None:
        self.canaries = canaries
        self._patterns = [
            _Pattern(canary.label, encoding, needle)
            for canary in canaries
            for encoding, needle in canary_forms(canary.token).items()
        ]
        self.overlap = max(len(pattern.needle) for pattern in self._patterns) - 1

    def scan_bytes(self, data: bytes, base_offset: int = 0) -> list[Hit]:
        hits: list[Hit] = []
        for pattern in self._patterns:
            start, found = data.find(pattern.needle), 0
            while start != -1 and found < MAX_HITS_PER_PATTERN:
                hits.append(Hit(pattern.canary, pattern.encoding, base_offset + start))
                found += 1
                start = data.find(pattern.needle, start + 1)
        return hits

    def scan_text(self, text: str) -> list[Hit]:
        return self.scan_bytes(text.encode("utf-8", errors="surrogateescape"))

    def scan_file(self, path: Path) -> tuple[int, list[Hit]]:
        """(bytes read, hits) of one file, read in overlapping chunks to bound memory."""
        seen: dict[tuple[str, str], set[Hit]] = {}
        total = 0
        for offset, chunk in _chunks(path, self.overlap):
            total = offset + len(chunk)
            for hit in self.scan_bytes(chunk, offset):
                kept = seen.setdefault((hit.canary, hit.encoding), set())
                if len(kept) < MAX_HITS_PER_PATTERN:
                    kept.add(hit)
        hits = [hit for kept in seen.values() for hit in kept]
        return total, sorted(hits, key=lambda hit: (hit.offset, hit.encoding))

    def scan_tree(self, root: Path) -> dict[str, list[Hit]]:
        """Every file under `root` (database, WAL, journal, logs, keys...) that holds a canary,
        by path relative to `root`."""
        found: dict[str, list[Hit]] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                _, hits = self.scan_file(path)
                if hits:
                    found[self.redact(str(path.relative_to(root)))] = hits
        return found

    def redact(self, name: str) -> str:
        """`name` (a path, a key) with any canary replaced: a location never shows content."""
        for pattern in self._patterns:
            needle = pattern.needle.decode("latin-1")
            if needle in name:
                name = name.replace(needle, f"<{pattern.canary}-canary:{pattern.encoding}>")
        return name


def _chunks(path: Path, overlap: int) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        offset = 0
        tail = b""
        while True:
            block = handle.read(CHUNK_BYTES)
            if not block:
                return
            chunk = tail + block
            yield offset - len(tail), chunk
            offset += len(block)
            tail = chunk[-overlap:] if overlap else b""
