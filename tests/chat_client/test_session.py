"""History: what is sent, what is kept, and the local JSONL file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from zerokeep.chat_client.session import History
from zerokeep.chat_client.transport import ChatError


class TestHistory:
    def test_question_follows_system_prompt_and_earlier_turns(self) -> None:
        history = History(system="Be brief.")
        history.record("Hi", "Hello!")
        assert history.with_question("And you?") == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "And you?"},
        ]

    def test_memory_only_writes_no_file(self, tmp_path: Path) -> None:
        history = History()
        history.record("Hi", "Hello!")
        assert list(tmp_path.iterdir()) == []

    def test_file_is_jsonl_readable_by_owner_only(self, tmp_path: Path) -> None:
        path = tmp_path / "chat.jsonl"
        History(path=path).record("Hi", "Hello!")
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert lines == [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
        ]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_existing_file_continues_the_conversation(self, tmp_path: Path) -> None:
        path = tmp_path / "chat.jsonl"
        History(path=path).record("Hi", "Hello!")
        again = History(path=path)
        again.record("Still there?", "Yes.")
        assert [turn["content"] for turn in History(path=path).turns] == [
            "Hi",
            "Hello!",
            "Still there?",
            "Yes.",
        ]

    def test_reset_forgets_and_empties_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "chat.jsonl"
        history = History(system="Be brief.", path=path)
        history.record("Hi", "Hello!")
        history.reset()
        assert history.with_question("New") == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "New"},
        ]
        assert path.read_text() == ""

    def test_unreadable_file_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "chat.jsonl"
        path.write_text('{"role": "user", "content": "Hi"}\nnot json\n')
        with pytest.raises(ChatError, match="line 2"):
            History(path=path)
