"""The deployment master key: the root of the key hierarchy, outside the database.

It comes from `ZEROKEEP_MASTER_KEY` (base64 of 32 bytes), or from `<data_dir>/keys/master.key`,
made on first start (file 0600, directory 0700). The file holds one base64 key per line, oldest
first; the last line is the current key. A rotation appends the new key BEFORE the database is
re-wrapped and drops the older lines only after that transaction commits, so a crash or a rollback
in between never leaves an organization key wrapped by a key that is gone.

    masters = load_master_keys(settings)
    masters.current.id, masters.get(row.master_key_id)
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from zerokeep.config import Settings

MASTER_KEY_BYTES = 32
KEYS_DIR_NAME = "keys"
MASTER_FILE_NAME = "master.key"


class MasterKeyMissing(RuntimeError):
    """A row names a master key this deployment does not hold (wrong ZEROKEEP_MASTER_KEY?)."""


@dataclass(frozen=True, slots=True, repr=False)
class MasterKey:
    key: bytes

    @property
    def id(self) -> str:
        """A fingerprint safe to store next to what the key wraps (it reveals nothing of it)."""
        return hmac.new(self.key, b"zerokeep/master-key-id", hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<MasterKey {self.id}>"

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(MASTER_KEY_BYTES))

    def encoded(self) -> str:
        return base64.b64encode(self.key).decode()


@dataclass(slots=True, repr=False)
class MasterKeys:
    """The master keys this process holds; `path` is None when the key comes from settings
    (then only `zerokeep keys rotate-master` changes it, and the operator installs the new one)."""

    keys: list[MasterKey]
    path: Path | None = None
    _by_id: dict[str, MasterKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {key.id: key for key in self.keys}

    def __repr__(self) -> str:
        return f"<MasterKeys current={self.current.id} held={len(self.keys)}>"

    @property
    def current(self) -> MasterKey:
        return self.keys[-1]

    @property
    def is_managed(self) -> bool:
        """True when zerokeep keeps the key in its data directory and may rotate it alone."""
        return self.path is not None

    def get(self, master_key_id: str) -> MasterKey:
        found = self._by_id.get(master_key_id)
        if found is None and self.path is not None:
            self._reload()
            found = self._by_id.get(master_key_id)
        if found is None:
            raise MasterKeyMissing(
                f"an organization key is wrapped by master key {master_key_id}, which this "
                "deployment does not hold: check ZEROKEEP_MASTER_KEY or the data directory"
            )
        return found

    def add(self, key: MasterKey) -> None:
        """Make `key` current; written to the key file (if managed) before any use."""
        if self.path is not None:
            with _locked(self.path) as existing:
                _write_keys(self.path, [*existing, key])
        self.keys = [*self.keys, key]
        self.__post_init__()

    def retire_older_than(self, key: MasterKey) -> None:
        """Forget every key added before `key` (call after the re-wrap committed)."""
        if self.path is not None:
            with _locked(self.path) as existing:
                ids = [item.id for item in existing]
                if key.id in ids:
                    _write_keys(self.path, existing[ids.index(key.id) :])
            self._reload()
            return
        ids = [item.id for item in self.keys]
        if key.id in ids:
            self.keys = self.keys[ids.index(key.id) :]
            self.__post_init__()

    def refresh(self) -> None:
        """Re-read the key file (another process may have rotated); no-op for a settings key."""
        if self.path is not None:
            self._reload()

    def _reload(self) -> None:
        assert self.path is not None
        self.keys = _read_keys(self.path)
        self.__post_init__()


def load_master_keys(settings: Settings) -> MasterKeys:
    """The settings' key if given, else the data directory's file, created on first use."""
    if settings.master_key:
        return MasterKeys([MasterKey(base64.b64decode(settings.master_key))])
    return open_key_file(settings.data_dir / KEYS_DIR_NAME / MASTER_FILE_NAME)


def open_key_file(path: Path) -> MasterKeys:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if not path.exists():
        _create_key_file(path)
    return MasterKeys(_read_keys(path), path)


def _create_key_file(path: Path) -> None:
    # Written under a temporary name and linked into place: two processes starting at once end
    # up with the same key (the loser's link fails and it reads the winner's file).
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(MasterKey.generate().encoded() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _read_keys(path: Path) -> list[MasterKey]:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    keys = [MasterKey(base64.b64decode(line, validate=True)) for line in lines]
    if not keys or any(len(key.key) != MASTER_KEY_BYTES for key in keys):
        raise MasterKeyMissing(f"{path} does not hold base64 keys of {MASTER_KEY_BYTES} bytes")
    return keys


def _write_keys(path: Path, keys: list[MasterKey]) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("".join(key.encoded() + "\n" for key in keys))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@contextmanager
def _locked(path: Path) -> Iterator[list[MasterKey]]:
    """Read-modify-write of the key file, one process at a time."""
    lock_path = path.with_name(path.name + ".lock")
    descriptor = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield _read_keys(path)
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
