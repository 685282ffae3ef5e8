"""The deployment's master secret: from ZEROKEEP_SECRET_KEY, or a file made once in the data dir.

Subkeys for each purpose (API key HMAC, archive key wrapping, console sessions, report signing)
are derived from it, so one secret is all an operator must keep safe.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from zerokeep.config import Settings
from zerokeep.kit.crypto import derive_key

SECRET_FILE_NAME = "secret.key"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True, slots=True, repr=False)
class DeploymentKeys:
    api_key_hmac: bytes
    key_wrapping: bytes
    session_signing: bytes
    master: bytes

    @property
    def report_signing_seed(self) -> bytes:
        """The Ed25519 seed that signs retention audit reports (stable for this deployment)."""
        return derive_key(self.master, "zerokeep/report-signing")

    @property
    def file_url_signing(self) -> bytes:
        """The HMAC key of signed file download URLs."""
        return derive_key(self.master, "zerokeep/file-url-signing")

    def __repr__(self) -> str:
        return "<DeploymentKeys redacted>"


def load_keys(settings: Settings) -> DeploymentKeys:
    master = _master_secret(settings)
    return DeploymentKeys(
        api_key_hmac=derive_key(master, "zerokeep/api-key-hmac"),
        key_wrapping=derive_key(master, "zerokeep/key-wrapping"),
        session_signing=derive_key(master, "zerokeep/console-session"),
        master=master,
    )


def _master_secret(settings: Settings) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    return _create_secret_file(path)


def _create_secret_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(value)
    return value
