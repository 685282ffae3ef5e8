"""What a newcomer trips on in the CLI (issue 13), run in process with Typer's CliRunner:
one-line errors with documented exit codes, listings that keep ids whole and speak JSON,
account management, the serve pre-flight checks."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import postgres_url, require_postgres
from zerokeep.cli import invocation
from zerokeep.cli.main import app

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cli:
    """`zerokeep ...` in process, with a data dir and database of its own."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, data_dir: Path, database_url: str | None):
        for name in list(os.environ):
            if name.startswith("ZEROKEEP_"):
                monkeypatch.delenv(name)
        monkeypatch.setenv("ZEROKEEP_DATA_DIR", str(data_dir))
        monkeypatch.setenv("ZEROKEEP_CONFIG", "")
        if database_url is not None:
            monkeypatch.setenv("ZEROKEEP_DATABASE_URL", database_url)
        monkeypatch.chdir(data_dir.parent)
        self.data_dir = data_dir
        self.monkeypatch = monkeypatch

    def __call__(
        self, *args: str, expect: int = 0, stdin: str | None = None, columns: int = 200
    ) -> Result:
        self.monkeypatch.setenv("COLUMNS", str(columns))
        result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
        assert result.exit_code == expect, (result.stdout, result.stderr)
        return result


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, empty_database_url: str) -> Cli:
    return Cli(monkeypatch, tmp_path / "data", empty_database_url)


@pytest.fixture()
def sqlite_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    return Cli(monkeypatch, tmp_path / "data", None)


def one_line(result: Result) -> str:
    text = result.stderr.strip()
    assert "Traceback" not in result.stderr + result.stdout
    assert len(text.splitlines()) == 1, text
    return text


class TestDatabaseProblemsAreOneLine:
    def test_a_data_dir_never_migrated_says_run_db_upgrade(self, sqlite_cli: Cli) -> None:
        line = one_line(sqlite_cli("org", "list", expect=3))
        assert "zerokeep db upgrade" in line and "no zerokeep tables" in line

    def test_an_unmigrated_postgres_database_says_run_db_upgrade(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, empty_database_url: str
    ) -> None:
        cli = Cli(monkeypatch, tmp_path / "data", empty_database_url)
        line = one_line(cli("key", "list", "--org", "demo", expect=3))
        assert "zerokeep db upgrade" in line

    def test_postgres_unreachable_names_host_and_port(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        port = free_port()
        url = f"postgresql://postgres:s3cret@127.0.0.1:{port}/zerokeep"
        cli = Cli(monkeypatch, tmp_path / "data", url)
        line = one_line(cli("org", "list", expect=3))
        assert f"cannot reach PostgreSQL at 127.0.0.1:{port}" in line
        assert "s3cret" not in line

    def test_a_missing_postgres_database_says_create_it(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        require_postgres()
        cli = Cli(monkeypatch, tmp_path / "data", postgres_url("zk_never_created_db"))
        line = one_line(cli("db", "upgrade", expect=3))
        assert "'zk_never_created_db' does not exist" in line and "createdb" in line

    def test_the_exit_codes_are_documented(self) -> None:
        readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
        assert "| 3 |" in readme and "| 2 |" in readme


class TestConfiguration:
    def test_a_named_config_file_that_is_missing_stops_every_command(
        self, sqlite_cli: Cli, tmp_path: Path
    ) -> None:
        sqlite_cli.monkeypatch.setenv("ZEROKEEP_CONFIG", str(tmp_path / "nonexistent.toml"))
        result = sqlite_cli("org", "list", expect=2)
        assert "nonexistent.toml, which does not exist" in result.stderr

    def test_a_provider_without_its_key_stops_serve_in_one_line(
        self, sqlite_cli: Cli, tmp_path: Path
    ) -> None:
        config = tmp_path / "zerokeep.toml"
        config.write_text(
            '[[providers]]\nname = "local"\nkind = "local"\n\n'
            '[[providers]]\nname = "mistral"\nkind = "mistral"\n'
        )
        sqlite_cli.monkeypatch.setenv("ZEROKEEP_CONFIG", str(config))
        line = one_line(sqlite_cli("serve", "--port", str(free_port()), expect=2))
        assert "provider 'mistral' (mistral) needs an API key" in line
        assert "ZEROKEEP_MISTRAL_API_KEY" in line

    def test_a_taken_port_stops_serve_before_the_banner_and_the_demo(self, sqlite_cli: Cli) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = sqlite_cli("serve", "--port", str(port), expect=2)
        line = one_line(result)
        assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line
        assert "demo API key" not in result.stdout
        assert not (sqlite_cli.data_dir / "demo-api-key").exists()


class TestListings:
    @pytest.fixture()
    def filed(self, cli: Cli) -> str:
        cli("db", "upgrade")
        cli(
            "org",
            "create",
            "Globex Corporation International",
            "--slug",
            "globex",
            "--plan",
            "scale",
        )
        out = cli(
            "zdr",
            "request",
            "--org",
            "globex",
            "--use-case",
            "Summarising clinical notes for hospital staff, with patient data in prompts.",
            "--data-categories",
            "health records, patient identifiers",
            "--legal-basis",
            "HIPAA business associate agreement with each hospital customer",
            "--contact",
            "dpo@globex.example.test",
        ).stdout
        match = re.search(r"(zdr_[0-9a-f]+)", out)
        assert match
        return match.group(1)

    @pytest.mark.parametrize("columns", [80, 120])
    def test_zdr_list_never_cuts_the_ids(self, cli: Cli, filed: str, columns: int) -> None:
        assert filed in cli("zdr", "list", columns=columns).stdout

    def test_zdr_list_json(self, cli: Cli, filed: str) -> None:
        (row,) = json.loads(cli("zdr", "list", "--json").stdout)
        assert (row["id"], row["organization"], row["status"]) == (filed, "globex", "pending")

    def test_zdr_show_has_what_staff_review(self, cli: Cli, filed: str) -> None:
        out = cli("zdr", "show", filed, columns=80).stdout
        assert "Summarising clinical notes" in out and "HIPAA business associate" in out
        assert "dpo@globex.example.test" in out
        record = json.loads(cli("zdr", "show", filed, "--json").stdout)
        assert record["data_categories"] == ["health records", "patient identifiers"]

    @pytest.mark.parametrize("columns", [80, 120])
    def test_key_list_never_cuts_the_ids(self, cli: Cli, filed: str, columns: int) -> None:
        created = cli("key", "create", "--org", "globex", "--name", "a rather long key name")
        key_id = re.search(r"Created key (key_[0-9a-f]+)", created.stdout)
        assert key_id
        assert key_id.group(1) in cli("key", "list", "--org", "globex", columns=columns).stdout
        (row,) = json.loads(cli("key", "list", "--org", "globex", "--json").stdout)
        assert row["id"] == key_id.group(1)

    def test_usage_by_slug_and_date_range(self, cli: Cli, filed: str) -> None:
        assert json.loads(cli("usage", "--org", "globex", "--json").stdout) == []
        result = cli("usage", "--since", "2026-02-30", expect=2)
        assert "YYYY-MM-DD" in result.stderr
        cli("usage", "--since", "2026-11-02", "--until", "2026-11-01", expect=2)


class TestGlobalOptions:
    def test_version(self, sqlite_cli: Cli) -> None:
        assert re.fullmatch(r"zerokeep \d+\.\d+\.\d+\n", sqlite_cli("--version").stdout)

    def test_boolean_flags_have_no_placeholder(self, sqlite_cli: Cli) -> None:
        for command in (["serve", "--help"], ["privacy", "set", "--help"]):
            assert "<bool>" not in sqlite_cli(*command).stdout


class TestHints:
    def test_commands_are_printed_as_they_run_here(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        venv_bin = tmp_path / ".venv" / "bin"
        venv_bin.mkdir(parents=True)
        program = venv_bin / "zerokeep"
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr("sys.argv", [str(program)])
        monkeypatch.setenv("PATH", "/usr/bin:/bin")
        assert invocation.command() == ".venv/bin/zerokeep"
        monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")
        assert invocation.command() == "zerokeep"


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LINES", raising=False)
    yield


class TestDemoOnlyOnTheEmbeddedDefault:
    def test_postgres_never_gets_the_demo(self, tmp_path: Path) -> None:
        from zerokeep.cli.serve import _is_embedded
        from zerokeep.config import Settings

        assert _is_embedded(Settings(data_dir=tmp_path))
        postgres = Settings(data_dir=tmp_path, database_url="postgresql://u@db.example/zk")
        assert not _is_embedded(postgres)
