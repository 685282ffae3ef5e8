"""Settings: defaults, ZEROKEEP_* overrides, zerokeep.toml parsing, and readable failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zerokeep.config import SettingsError, load_settings
from zerokeep.retention.catalogue import Route

TOML_WITH_UPSTREAMS = """
host = "0.0.0.0"
port = 9100

[[providers]]
name = "mistral-eu"
kind = "mistral"
base_url = "https://api.mistral.ai"
api_key = "upstream-key"
retention = "none"

[[providers]]
name = "vllm"
kind = "openai_compatible"
base_url = "http://vllm.internal:8000/v1"
retention = 30
max_concurrency = 8

[[models]]
name = "mistral-small-latest"
provider = "mistral-eu"
routes = ["/v1/chat/completions", "/v1/fim/completions"]

[[models]]
name = "house-embed"
provider = "vllm"
upstream_model = "intfloat/e5-small"
routes = ["/v1/embeddings"]
max_context_length = 512
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ZEROKEEP_* from the outer shell, and no ./zerokeep.toml from the working directory."""
    for name in list(os.environ):
        if name.startswith("ZEROKEEP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "conf" / "zerokeep.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    monkeypatch.setenv("ZEROKEEP_CONFIG", str(path))
    return path


class TestDefaults:
    def test_embedded_defaults(self) -> None:
        settings = load_settings()
        assert settings.data_dir == Path("zerokeep-data")
        assert settings.database_url is None
        assert settings.resolved_database_url == "sqlite+aiosqlite:///zerokeep-data/zerokeep.db"
        assert (settings.host, settings.port) == ("127.0.0.1", 8000)
        assert settings.base_url == "http://127.0.0.1:8000"
        assert settings.max_body_bytes == 25 * 1024 * 1024
        assert settings.default_abuse_window_days == 30
        assert settings.secret_key is None

    def test_default_provider_is_local_and_declares_no_retention(self) -> None:
        settings = load_settings()
        assert [(p.name, p.kind) for p in settings.providers] == [("local", "local")]
        assert settings.providers[0].retention_days is None

    def test_default_models_cover_every_stateless_route_on_the_local_provider(self) -> None:
        settings = load_settings()
        assert {model.provider for model in settings.models} == {"local"}
        assert "local-chat" in {model.name for model in settings.models}
        covered = {route for model in settings.models for route in model.routes}
        assert covered == set(Route)


class TestEnvironment:
    def test_environment_overrides_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_PORT", "9000")
        monkeypatch.setenv("ZEROKEEP_DATA_DIR", "/srv/zk")
        monkeypatch.setenv("ZEROKEEP_LOG_FORMAT", "json")
        monkeypatch.setenv("ZEROKEEP_PUBLIC_URL", "https://ai.example.com")
        settings = load_settings()
        assert settings.port == 9000
        assert settings.data_dir == Path("/srv/zk")
        assert settings.resolved_database_url == "sqlite+aiosqlite:////srv/zk/zerokeep.db"
        assert settings.log_format == "json"
        assert settings.base_url == "https://ai.example.com"

    def test_postgresql_url_gets_the_async_driver(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_DATABASE_URL", "postgresql://zk:pw@db:5432/zk")
        assert load_settings().resolved_database_url == "postgresql+asyncpg://zk:pw@db:5432/zk"

    def test_plain_sqlite_url_gets_the_async_driver(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_DATABASE_URL", "sqlite:////var/zk.db")
        assert load_settings().resolved_database_url == "sqlite+aiosqlite:////var/zk.db"

    def test_environment_wins_over_toml(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(tmp_path, monkeypatch, "port = 9100\nhost = '0.0.0.0'\n")
        monkeypatch.setenv("ZEROKEEP_PORT", "9200")
        settings = load_settings()
        assert settings.port == 9200
        assert settings.host == "0.0.0.0"

    def test_explicit_overrides_win_over_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_PORT", "9200")
        assert load_settings(port=9300).port == 9300


class TestToml:
    def test_providers_and_models_are_parsed(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(tmp_path, monkeypatch, TOML_WITH_UPSTREAMS)
        settings = load_settings()
        assert (settings.host, settings.port) == ("0.0.0.0", 9100)
        providers = {provider.name: provider for provider in settings.providers}
        assert providers["mistral-eu"].kind == "mistral"
        assert providers["mistral-eu"].retention_days is None
        assert providers["vllm"].kind == "openai_compatible"
        assert providers["vllm"].retention_days == 30
        assert providers["vllm"].max_concurrency == 8
        models = {model.name: model for model in settings.models}
        assert set(models) == {"mistral-small-latest", "house-embed"}
        assert models["mistral-small-latest"].routes == [
            Route.CHAT_COMPLETIONS,
            Route.FIM_COMPLETIONS,
        ]
        assert models["mistral-small-latest"].upstream_name == "mistral-small-latest"
        assert models["house-embed"].upstream_name == "intfloat/e5-small"
        assert models["house-embed"].max_context_length == 512

    def test_a_named_config_file_that_is_missing_stops_the_start(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ZEROKEEP_CONFIG", str(tmp_path / "absent.toml"))
        with pytest.raises(SettingsError, match=r"ZEROKEEP_CONFIG names .*absent.toml"):
            load_settings()

    def test_an_empty_zerokeep_config_means_no_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / "zerokeep.toml").write_text("port = 9400\n")
        monkeypatch.setenv("ZEROKEEP_CONFIG", "")
        settings = load_settings()
        assert settings.port == 8000
        assert settings.config_file is None

    def test_the_loaded_file_is_named(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write_toml(tmp_path, monkeypatch, "port = 9401\n")
        assert load_settings().config_file == path

    def test_zerokeep_toml_in_the_working_directory_is_read(self, tmp_path: Path) -> None:
        (tmp_path / "zerokeep.toml").write_text("port = 9400\n")
        assert load_settings().port == 9400


class TestBadSettings:
    def test_no_value_error_prefix_leaks(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(tmp_path, monkeypatch, '[[providers]]\nname = "other"\nkind = "local"\n')
        with pytest.raises(SettingsError) as raised:
            load_settings()
        assert "Value error" not in str(raised.value)
        assert "names provider 'local', which is not declared" in str(raised.value)

    def test_non_numeric_port_names_the_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_PORT", "abc")
        with pytest.raises(SettingsError, match=r"port \(ZEROKEEP_PORT\)"):
            load_settings()

    def test_port_out_of_range_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_PORT", "70000")
        with pytest.raises(SettingsError, match="ZEROKEEP_PORT"):
            load_settings()

    def test_bad_database_scheme_names_the_setting_and_what_is_allowed(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ZEROKEEP_DATABASE_URL", "mysql://root@db/zk")
        with pytest.raises(SettingsError) as raised:
            load_settings()
        message = str(raised.value)
        assert "ZEROKEEP_DATABASE_URL" in message
        assert "sqlite://" in message and "postgresql://" in message

    def test_a_bad_setting_does_not_echo_its_value(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_DATABASE_URL", "mysql://root:hunter2-canary@db/zk")
        with pytest.raises(SettingsError) as raised:
            load_settings()
        assert "hunter2-canary" not in str(raised.value)

    def test_short_secret_key_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_SECRET_KEY", "too-short")
        with pytest.raises(SettingsError, match="ZEROKEEP_SECRET_KEY"):
            load_settings()

    def test_unknown_log_level_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ZEROKEEP_LOG_LEVEL", "verbose")
        with pytest.raises(SettingsError, match="ZEROKEEP_LOG_LEVEL"):
            load_settings()

    def test_model_naming_an_undeclared_provider(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            '[[models]]\nname = "m"\nprovider = "ghost"\nroutes = ["/v1/embeddings"]\n',
        )
        with pytest.raises(SettingsError) as raised:
            load_settings()
        message = str(raised.value)
        assert "models" in message
        assert "'ghost'" in message and "'m'" in message
        assert "['local']" in message

    def test_cross_field_error_names_no_made_up_variable(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            '[[models]]\nname = "m"\nprovider = "ghost"\nroutes = ["/v1/embeddings"]\n',
        )
        with pytest.raises(SettingsError) as raised:
            load_settings()
        assert "ZEROKEEP_SETTINGS" not in str(raised.value)

    def test_unknown_route_in_a_model(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            '[[models]]\nname = "m"\nprovider = "local"\nroutes = ["/v1/teleport"]\n',
        )
        with pytest.raises(SettingsError, match=r"models\.0\.routes\.0"):
            load_settings()

    def test_unknown_provider_kind(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write_toml(tmp_path, monkeypatch, '[[providers]]\nname = "x"\nkind = "bedrock"\n')
        with pytest.raises(SettingsError, match=r"providers\.0\.kind"):
            load_settings()

    def test_unknown_toml_key_is_refused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(tmp_path, monkeypatch, "prot = 8000\n")
        with pytest.raises(SettingsError, match="prot"):
            load_settings()


class TestAmbiguousModels:
    """Issue 12: two [[models]] entries with one name used to collapse into the last one."""

    LOCAL = '[[providers]]\nname = "local"\nkind = "local"\n'

    def test_a_name_declared_twice_stops_start_up(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        model = '[[models]]\nname = "m"\nprovider = "local"\nroutes = ["/v1/embeddings"]\n'
        write_toml(tmp_path, monkeypatch, self.LOCAL + model + model)
        with pytest.raises(SettingsError) as raised:
            load_settings()
        message = str(raised.value)
        assert "'m' is declared twice" in message and "deployments" in message

    def test_an_alias_that_is_another_models_name_stops_start_up(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            self.LOCAL
            + '[[models]]\nname = "a"\nprovider = "local"\nroutes = ["/v1/embeddings"]\n'
            + '[[models]]\nname = "b"\nprovider = "local"\nroutes = ["/v1/embeddings"]\n'
            + 'aliases = ["a"]\n',
        )
        with pytest.raises(SettingsError, match="'a' is declared twice"):
            load_settings()

    def test_two_defaults_for_one_route_stop_start_up(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        entry = '[[models]]\nname = "{}"\nprovider = "local"\nroutes = ["/v1/ocr"]\n'
        entry += 'default_for = ["/v1/ocr"]\n'
        write_toml(tmp_path, monkeypatch, self.LOCAL + entry.format("a") + entry.format("b"))
        with pytest.raises(SettingsError, match="default_for /v1/ocr"):
            load_settings()

    def test_provider_and_deployments_together_are_refused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            self.LOCAL
            + '[[models]]\nname = "m"\nprovider = "local"\nroutes = ["/v1/embeddings"]\n'
            + 'deployments = [{ provider = "local" }]\n',
        )
        with pytest.raises(SettingsError, match="either provider"):
            load_settings()

    def test_deployments_are_parsed_with_weights(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_toml(
            tmp_path,
            monkeypatch,
            self.LOCAL
            + '[[providers]]\nname = "other"\nkind = "local"\n'
            + '[[models]]\nname = "m"\nroutes = ["/v1/embeddings"]\n'
            + 'deployments = [{ provider = "local", weight = 3 }, { provider = "other" }]\n',
        )
        (model,) = load_settings().models
        assert [(d.provider, d.upstream_model, d.weight) for d in model.deployment_list()] == [
            ("local", "m", 3),
            ("other", "m", 1),
        ]
