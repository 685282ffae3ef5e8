"""The keys tests' fixtures (migrated database, key service), for blobs under the hierarchy."""

from tests.keys.conftest import engine, keys, master_path, sessions

__all__ = ["engine", "keys", "master_path", "sessions"]
