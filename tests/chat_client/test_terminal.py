"""`zerokeep chat` on a pseudo-terminal: prompt, streamed answers, /reset, /exit, Ctrl-D."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chat_client.conftest import Terminal
from tests.chat_client.fake_server import MistralLike
from tests.fakes import FakeUpstream
from tests.harness import LiveServer
from zerokeep.chat_client.terminal import PROMPT

StartTerminal = Callable[..., Terminal]
CHAT = "/v1/chat/completions"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
class TestInteractive:
    def test_prompt_answers_reset_and_exit(
        self, live_server: LiveServer, terminal_factory: StartTerminal, tmp_path: Path
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        path = tmp_path / "talk.jsonl"
        args = ["--base-url", live_server.base_url, "--api-key", key, "--model", "test-model"]
        terminal = terminal_factory(*args, "--history", str(path))
        terminal.expect("Type /help for commands, /clear to start over, /exit or Ctrl-D to quit.")
        terminal.expect(PROMPT)
        terminal.type("bonjour\n")
        assert "retention: none" in terminal.expect("echo: bonjour")
        terminal.expect(PROMPT)
        assert len(path.read_text().splitlines()) == 2
        terminal.type("/reset\n")
        terminal.expect("New conversation.")
        terminal.expect(PROMPT)
        assert path.read_text() == ""
        terminal.type("/exit\n")
        assert terminal.wait() == 0

    def test_slash_commands_never_reach_the_model(
        self,
        live_server: LiveServer,
        fake_upstream: FakeUpstream,
        terminal_factory: StartTerminal,
        tmp_path: Path,
    ) -> None:
        _, key = live_server.new_organization(zdr=True)
        args = ["--base-url", live_server.base_url, "--api-key", key, "--model", "test-model"]
        terminal = terminal_factory(*args)
        terminal.expect(PROMPT)
        before = fake_upstream.count(CHAT)
        terminal.type("/help\n")
        terminal.expect("/save FILE")
        terminal.expect(PROMPT)
        terminal.type("/hlep\n")
        terminal.expect("Unknown command /hlep: nothing was sent.")
        terminal.expect(PROMPT)
        assert fake_upstream.count(CHAT) == before
        terminal.type("salut\n")
        terminal.expect("echo: salut")
        terminal.expect(PROMPT)
        saved = tmp_path / "saved.jsonl"
        terminal.type(f"/save {saved}\n")
        terminal.expect("Saved 1 exchanges")
        assert [line.count('"role"') for line in saved.read_text().splitlines()] == [1, 1]
        terminal.type("/clear\n")
        terminal.expect("New conversation.")
        terminal.type("/exit\n")
        assert terminal.wait() == 0

    def test_ctrl_d_quits(self, live_server: LiveServer, terminal_factory: StartTerminal) -> None:
        _, key = live_server.new_organization(zdr=True)
        terminal = terminal_factory("--base-url", live_server.base_url, "--api-key", key)
        terminal.expect(PROMPT)
        terminal.type("\x04")
        assert terminal.wait() == 0

    def test_require_zdr_refuses_before_the_prompt(
        self,
        live_server: LiveServer,
        fake_upstream: FakeUpstream,
        terminal_factory: StartTerminal,
    ) -> None:
        _, key = live_server.new_organization(zdr=False)
        before = fake_upstream.count(CHAT)
        args = ["--base-url", live_server.base_url, "--api-key", key, "--require-zdr"]
        terminal = terminal_factory(*args)
        terminal.expect("nothing was sent")
        assert terminal.wait() == 3
        assert PROMPT not in terminal.seen
        assert fake_upstream.count(CHAT) == before


class TestInteractiveErrors:
    def test_an_error_does_not_end_the_session(self, terminal_factory: StartTerminal) -> None:
        with MistralLike() as server:
            terminal = terminal_factory("--base-url", server.base_url, "--model", "busy")
            terminal.expect(PROMPT)
            terminal.type("hi\n")
            assert "Traceback" not in terminal.expect("Retry after 7 s.")
            terminal.expect(PROMPT)
            terminal.type("/exit\n")
            assert terminal.wait() == 0
