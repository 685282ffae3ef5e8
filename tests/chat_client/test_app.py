"""The conversation loop against a Mistral-like server: retention shown, ZDR enforced, errors."""

from __future__ import annotations

import io
from pathlib import Path

from tests.chat_client.conftest import run_piped
from tests.chat_client.fake_server import MistralLike
from zerokeep.chat_client.app import ChatOptions, run
from zerokeep.chat_client.terminal import Terminal

CHAT = "/v1/chat/completions"


def chat(server: MistralLike, lines: str, **options: object) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    terminal = Terminal(io.StringIO(lines), stdout, stderr, interactive=False)
    code = run(ChatOptions(base_url=server.base_url + "/v1/", api_key="k", **options), terminal)  # type: ignore[arg-type]
    return code, stdout.getvalue(), stderr.getvalue()


class TestRetentionShown:
    def test_unknown_for_servers_that_do_not_report_it(self) -> None:
        with MistralLike() as server:
            code, out, err = chat(server, "hi\n", model="plain")
        assert (code, out) == (0, "Hello there\n")
        assert "retention: unknown (the server does not report it)" in err

    def test_reported_regime(self) -> None:
        with MistralLike() as server:
            code, _, err = chat(server, "hi\n", model="archive")
        assert code == 0
        assert "retention: archive; days=30" in err


class TestRequireZdr:
    def test_server_without_privacy_endpoint_gets_nothing(self) -> None:
        with MistralLike(privacy=None) as server:
            code, out, err = chat(server, "hi\n", model="plain", require_zdr=True)
            assert server.requests[CHAT] == 0
        assert (code, out) == (3, "")
        assert "does not report Zero Data Retention" in err

    def test_refuses_when_a_response_is_retained(self) -> None:
        with MistralLike(privacy={"zdr": "active"}) as server:
            code, out, err = chat(server, "hi\nmore\n", model="archive", require_zdr=True)
            assert server.requests[CHAT] == 1  # the second line is never sent
        assert (code, out) == (3, "")
        assert "retention 'archive; days=30'" in err

    def test_refuses_when_retention_is_not_reported(self) -> None:
        with MistralLike(privacy={"zdr": "active"}) as server:
            code, out, _ = chat(server, "hi\n", model="plain", require_zdr=True)
        assert (code, out) == (3, "")

    def test_pending_is_not_active(self) -> None:
        with MistralLike(privacy={"zdr": "pending"}) as server:
            code, _, err = chat(server, "hi\n", model="plain", require_zdr=True)
            assert server.requests[CHAT] == 0
        assert code == 3
        assert "Zero Data Retention is pending" in err


class TestErrors:
    def test_busy_shows_retry_after(self) -> None:
        with MistralLike() as server:
            code, out, err = chat(server, "hi\n", model="busy")
        assert (code, out) == (1, "")
        assert "The server is busy (503): The model is busy; retry shortly. Retry after 7 s." in err

    def test_error_mid_stream_keeps_what_was_shown(self, tmp_path: Path) -> None:
        path = tmp_path / "h.jsonl"
        with MistralLike() as server:
            code, out, err = chat(server, "hi\n", model="cut", history_path=path)
        assert (code, out) == (1, "Hel\n")
        assert "The server stopped the answer: The upstream failed." in err
        assert not path.exists()  # an unfinished turn is not kept

    def test_unreachable_server_as_a_command(self, tmp_path: Path) -> None:
        result = run_piped(tmp_path, "--base-url", "http://127.0.0.1:9", stdin="hi\n")
        assert result.returncode == 1
        assert "Cannot reach http://127.0.0.1:9" in result.stderr
        assert "Traceback" not in result.stderr
