"""The slash commands of `zerokeep chat`. A line that starts with `/` is a command, never a
message: an unknown one is refused with the list, so `/help` or a typo never reaches the model.

    outcome = handle("/save notes.jsonl", history, terminal)   # CONTINUE, EXIT or NOT_A_COMMAND
"""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path

from zerokeep.chat_client.session import History
from zerokeep.chat_client.terminal import Terminal

HELP = (
    "Commands: /help this list; /clear start a new conversation (also empties the --history "
    "file); /save FILE write the conversation to FILE as JSON lines; /exit quit (or Ctrl-D)."
)


class Outcome(enum.Enum):
    NOT_A_COMMAND = "not a command"
    CONTINUE = "continue"
    EXIT = "exit"


def handle(line: str, history: History, terminal: Terminal) -> Outcome:
    if not line.startswith("/"):
        return Outcome.NOT_A_COMMAND
    name, _, argument = line.partition(" ")
    argument = argument.strip()
    if name == "/exit":
        return Outcome.EXIT
    if name == "/help":
        terminal.status(HELP)
    elif name in ("/clear", "/reset"):
        history.reset()
        terminal.status("New conversation.")
    elif name == "/save":
        _save(history, argument, terminal)
    else:
        terminal.error(f"Unknown command {name}: nothing was sent. {HELP}")
    return Outcome.CONTINUE


def _save(history: History, argument: str, terminal: Terminal) -> None:
    if not argument:
        terminal.error("/save needs a file name, e.g. /save chat.jsonl")
        return
    path = Path(argument).expanduser()
    text = "".join(json.dumps(turn, ensure_ascii=False) + "\n" for turn in history.turns)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        terminal.error(f"Cannot write {path}: {error.strerror}.")
        return
    terminal.status(f"Saved {len(history.turns) // 2} exchanges to {path}.")
