"""The conversation of `zerokeep chat`: in memory, and in a JSONL file on this machine if asked.

    history = History(system="Be brief.", path=Path("chat.jsonl"))   # loads earlier turns
    messages = history.with_question("Hello")    # what to send: system, turns, the question
    history.record("Hello", "Hi!")               # only answered turns are kept

The file holds one `{"role": ..., "content": ...}` object per line (user and assistant turns; the
system prompt comes from the command line each time). It is created readable by its owner only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO

from zerokeep.chat_client.transport import ChatError

Message = dict[str, str]
_ROLES = ("user", "assistant")


class History:
    """Turns of one conversation; see the module docstring."""

    def __init__(self, system: str | None = None, path: Path | None = None) -> None:
        self.system = system
        self.path = path
        self.turns: list[Message] = _load(path) if path is not None else []

    def with_question(self, question: str) -> list[Message]:
        system = [{"role": "system", "content": self.system}] if self.system else []
        return [*system, *self.turns, {"role": "user", "content": question}]

    def record(self, question: str, answer: str) -> None:
        turns = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        self.turns.extend(turns)
        if self.path is not None:
            lines = "".join(json.dumps(turn, ensure_ascii=False) + "\n" for turn in turns)
            with _open_private(self.path, os.O_APPEND) as file:
                file.write(lines)

    def reset(self) -> None:
        """Forget the conversation, and empty the history file if there is one."""
        self.turns = []
        if self.path is not None:
            with _open_private(self.path, os.O_TRUNC):
                pass


def _open_private(path: Path, mode: int) -> TextIO:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8")


def _load(path: Path) -> list[Message]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as error:
        raise ChatError(f"Cannot read the history file {path}: {error.strerror}.") from None
    turns: list[Message] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            turn = json.loads(line)
        except ValueError:
            turn = None
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in _ROLES
            or not isinstance(turn.get("content"), str)
        ):
            raise ChatError(
                f"{path} line {number} is not a chat turn "
                '({"role": "user" or "assistant", "content": "..."}): fix or move the file.'
            )
        turns.append({"role": turn["role"], "content": turn["content"]})
    return turns
