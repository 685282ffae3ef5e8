"""The conversation loop of `zerokeep chat`: check ZDR if asked, then one streamed answer per line.

    code = run(ChatOptions(base_url="http://127.0.0.1:8000", api_key=key), Terminal())

Exit codes: 0 done, 1 a server or connection error (piped mode stops at the first one), 2 an
unreadable history file, 3 Zero Data Retention required but not in force, 130 interrupted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zerokeep.chat_client import commands
from zerokeep.chat_client.session import History
from zerokeep.chat_client.terminal import Terminal
from zerokeep.chat_client.transport import (
    UNKNOWN_RETENTION,
    ChatError,
    Transport,
    ZdrRefused,
)

EXIT_BAD_HISTORY = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class ChatOptions:
    base_url: str
    api_key: str | None
    model: str = "local-chat"
    system: str | None = None
    history_path: Path | None = None
    require_zdr: bool = False
    max_tokens: int | None = None


class Chat:
    """One conversation with one server; remembers the retention regime last reported."""

    def __init__(
        self, options: ChatOptions, transport: Transport, history: History, terminal: Terminal
    ) -> None:
        self.options = options
        self.transport = transport
        self.history = history
        self.terminal = terminal
        self.retention: str | None = None

    async def check_zdr(self) -> None:
        """Refuse (ZdrRefused) unless the server says ZDR is active for this key's organization."""
        privacy = await self.transport.privacy()
        state = privacy.get("zdr")
        if state != "active":
            raise ZdrRefused(
                f"Zero Data Retention is {state or 'not reported'!s} for this organization, not "
                "active: nothing was sent. Ask an admin to request ZDR, or drop --require-zdr."
            )
        self.terminal.status("Zero Data Retention is active for this organization.")

    async def ask(self, question: str) -> None:
        body: dict[str, Any] = {
            "model": self.options.model,
            "messages": self.history.with_question(question),
        }
        if self.options.max_tokens is not None:
            body["max_tokens"] = self.options.max_tokens
        pieces: list[str] = []
        async with self.transport.chat(body) as reply:
            self._note_retention(reply.retention)
            try:
                async for piece in reply.pieces():
                    pieces.append(piece)
                    self.terminal.piece(piece)
            finally:
                if pieces:
                    self.terminal.end_answer()
        if not pieces:
            self.terminal.end_answer()
        self.history.record(question, "".join(pieces))

    def _note_retention(self, retention: str) -> None:
        if self.options.require_zdr and retention != "none":
            raise ZdrRefused(
                f"The server applied retention '{retention}' to the last message, not 'none': "
                "its answer is discarded and nothing more is sent."
            )
        if retention != self.retention:
            self.retention = retention
            self.terminal.status(f"retention: {describe_retention(retention)}")


def describe_retention(value: str) -> str:
    if value == "none":
        return "none (the server keeps nothing of this conversation)"
    if value == UNKNOWN_RETENTION:
        return "unknown (the server does not report it)"
    return value


def run(options: ChatOptions, terminal: Terminal) -> int:
    """Run the whole session; returns the exit code (see the module docstring)."""
    try:
        history = History(options.system, options.history_path)
    except ChatError as error:
        terminal.error(error.message)
        return EXIT_BAD_HISTORY
    try:
        with asyncio.Runner() as runner:
            transport = Transport(options.base_url, options.api_key)
            runner.run(transport.__aenter__())
            try:
                chat = Chat(options, transport, history, terminal)
                return _converse(runner, chat)
            finally:
                runner.run(transport.__aexit__(None, None, None))
    except ChatError as error:
        terminal.error(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        terminal.status("Interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (`zerokeep chat | head -1`)
        terminal.detach_stdout()
        return 0


def _converse(runner: asyncio.Runner, chat: Chat) -> int:
    terminal, options = chat.terminal, chat.options
    if options.require_zdr:
        runner.run(chat.check_zdr())
    kept = f"in {options.history_path}" if options.history_path else "in memory only"
    terminal.status(f"{chat.transport.base_url}, model {options.model}; history kept {kept}.")
    if terminal.interactive:
        terminal.status("Type /help for commands, /clear to start over, /exit or Ctrl-D to quit.")
    while (line := terminal.read_message()) is not None:
        text = line.strip()
        if not text:
            continue
        outcome = commands.handle(text, chat.history, terminal)
        if outcome is commands.Outcome.EXIT:
            break
        if outcome is commands.Outcome.CONTINUE:
            continue
        try:
            runner.run(chat.ask(text))
        except ZdrRefused:
            raise
        except ChatError as error:
            terminal.error(error.message)
            if not terminal.interactive:
                return error.exit_code
        except KeyboardInterrupt:
            if not terminal.interactive:
                raise
            terminal.status("Answer interrupted; not kept in the history.")
    return 0
