"""`echo ... | zerokeep chat` against a live gateway (fake upstream answering "echo: <prompt>")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.chat_client.conftest import run_piped
from tests.fakes import FakeUpstream
from tests.harness import LiveServer

CHAT = "/v1/chat/completions"
# The client does not touch the database: one backend is enough.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def chat_args(server: LiveServer, key: str, *more: str) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", key, "--model", "test-model", *more]


class TestPiped:
    def test_answers_on_stdout_status_on_stderr(
        self, live_server: LiveServer, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization()
        result = run_piped(tmp_path, *chat_args(live_server, key), stdin="hello\n\nworld\n")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "echo: hello\necho: world\n"
        assert "retention: archive; days=30" in result.stderr
        assert "history kept in memory only" in result.stderr

    def test_history_and_system_prompt_are_sent(
        self, live_server: LiveServer, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        args = chat_args(live_server, key, "--system", "Be brief.", "--max-tokens", "50")
        result = run_piped(tmp_path, *args, stdin="first\nsecond\n")
        assert result.returncode == 0, result.stderr
        sent = fake_upstream.last_bodies[CHAT]
        assert sent["max_tokens"] == 50
        assert sent["stream"] is True
        assert sent["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "echo: first"},
            {"role": "user", "content": "second"},
        ]

    def test_history_file_written_locally_when_asked(
        self, live_server: LiveServer, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        path = tmp_path / "talk.jsonl"
        args = chat_args(live_server, key, "--history", str(path))
        assert run_piped(tmp_path, *args, stdin="one\n").returncode == 0
        assert run_piped(tmp_path, *args, stdin="two\n").returncode == 0
        turns = [json.loads(line) for line in path.read_text().splitlines()]
        assert [turn["content"] for turn in turns] == ["one", "echo: one", "two", "echo: two"]

    def test_no_file_without_history_option(self, live_server: LiveServer, tmp_path: Path) -> None:
        _, key = live_server.new_organization(zdr=True)
        assert run_piped(tmp_path, *chat_args(live_server, key), stdin="hi\n").returncode == 0
        assert list(tmp_path.iterdir()) == []

    def test_key_from_environment(self, live_server: LiveServer, tmp_path: Path) -> None:
        _, key = live_server.new_organization(zdr=True)
        args = ["--base-url", live_server.base_url, "--model", "test-model"]
        result = run_piped(tmp_path, *args, stdin="hi\n", env={"MISTRAL_API_KEY": key})
        assert (result.returncode, result.stdout) == (0, "echo: hi\n")


class TestRequireZdr:
    def test_refuses_without_zdr_and_sends_nothing(
        self, live_server: LiveServer, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization(zdr=False)
        before = fake_upstream.count(CHAT)
        result = run_piped(
            tmp_path, *chat_args(live_server, key, "--require-zdr"), stdin="secret plan\n"
        )
        assert result.returncode == 3
        assert result.stdout == ""
        assert "Zero Data Retention is off" in result.stderr
        assert "nothing was sent" in result.stderr
        assert fake_upstream.count(CHAT) == before

    def test_works_with_zdr(
        self, live_server: LiveServer, fake_upstream: FakeUpstream, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        before = fake_upstream.count(CHAT)
        result = run_piped(tmp_path, *chat_args(live_server, key, "--require-zdr"), stdin="hi\n")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "echo: hi\n"
        assert "Zero Data Retention is active" in result.stderr
        assert "retention: none" in result.stderr
        assert fake_upstream.count(CHAT) == before + 1


class TestErrors:
    def test_wrong_key_is_one_clear_line(self, live_server: LiveServer, tmp_path: Path) -> None:
        result = run_piped(tmp_path, *chat_args(live_server, "zk_wrong"), stdin="hi\n")
        assert result.returncode == 1
        assert "refused the API key (401" in result.stderr
        assert "Traceback" not in result.stderr

    def test_missing_key_says_how_to_give_one(
        self, live_server: LiveServer, tmp_path: Path
    ) -> None:
        args = ["--base-url", live_server.base_url, "--model", "test-model"]
        result = run_piped(tmp_path, *args, stdin="hi\n")
        assert result.returncode == 1
        assert "no API key was given" in result.stderr

    def test_upstream_rate_limit_is_reported(self, live_server: LiveServer, tmp_path: Path) -> None:
        _, key = live_server.new_organization(zdr=True)
        args = ["--base-url", live_server.base_url, "--api-key", key, "--model", "fail-429"]
        result = run_piped(tmp_path, *args, stdin="hi\nnot sent\n")
        assert result.returncode == 1
        assert "Rate limited (429)" in result.stderr
        assert result.stderr.count("error:") == 1  # piped mode stops at the first error
        assert "Traceback" not in result.stderr
