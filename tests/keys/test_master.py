"""The master key: where it comes from, the file's permissions, and the settings' form."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from zerokeep.config import SettingsError, load_settings
from zerokeep.keys import MasterKey, MasterKeyMissing, load_master_keys
from zerokeep.keys.master import open_key_file


class TestMasterKeyFile:
    def test_created_once_owner_only(self, tmp_path: Path) -> None:
        path = tmp_path / "data" / "keys" / "master.key"
        first = open_key_file(path)
        second = open_key_file(path)
        assert first.current.key == second.current.key
        assert len(first.current.key) == 32
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        assert first.is_managed

    def test_add_then_retire_keeps_only_newer_keys(self, tmp_path: Path) -> None:
        masters = open_key_file(tmp_path / "master.key")
        old = masters.current
        new = MasterKey.generate()
        masters.add(new)
        assert open_key_file(tmp_path / "master.key").get(old.id) == old  # both held
        masters.retire_older_than(new)
        reread = open_key_file(tmp_path / "master.key")
        assert reread.current == new
        with pytest.raises(MasterKeyMissing):
            reread.get(old.id)
        assert stat.S_IMODE(os.stat(tmp_path / "master.key").st_mode) == 0o600

    def test_the_id_is_a_fingerprint_not_the_key(self) -> None:
        key = MasterKey.generate()
        assert key.id not in key.encoded() and key.id not in key.key.hex()
        assert key.encoded() not in repr(key)


class TestMasterKeySetting:
    def test_settings_key_wins_and_is_not_managed(self, tmp_path: Path) -> None:
        raw = os.urandom(32)
        settings = load_settings(data_dir=tmp_path, master_key=base64.b64encode(raw).decode())
        masters = load_master_keys(settings)
        assert masters.current.key == raw
        assert not masters.is_managed
        assert not (tmp_path / "keys").exists()

    @pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
    def test_a_bad_key_is_refused_without_echoing_it(self, tmp_path: Path, value: str) -> None:
        with pytest.raises(SettingsError) as error:
            load_settings(data_dir=tmp_path, master_key=value)
        assert "master_key" in str(error.value)
        assert value not in str(error.value)

    def test_s3_store_needs_a_bucket(self, tmp_path: Path) -> None:
        with pytest.raises((SettingsError, ValueError)):
            load_settings(data_dir=tmp_path, blob_store="s3")
