"""Rendering for `zerokeep chat`: questions in, answers to stdout, status and errors to stderr.

Only answers go to stdout, so `echo hi | zerokeep chat > answers.txt` keeps just the answers.
Interactive mode (stdin is a terminal) adds a prompt and readline line editing.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

PROMPT = "you> "
_DIM, _RED, _RESET = "\x1b[2m", "\x1b[31m", "\x1b[0m"


class Terminal:
    """The user's terminal or pipes; `interactive` defaults to whether stdin is a terminal."""

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self._colour = self.stderr.isatty()
        self._line_editing = False

    def read_message(self) -> str | None:
        """The next line the user typed or piped, or None at end of input (Ctrl-D)."""
        if not self.interactive:
            line = self.stdin.readline()
            return line.rstrip("\r\n") if line else None
        if not self._line_editing:
            import readline  # noqa: F401 - imported for its side effect: line editing in input()

            self._line_editing = True
        try:
            return input(PROMPT)
        except EOFError:
            self.stdout.write("\n")
            return None

    def piece(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def end_answer(self) -> None:
        self.stdout.write("\n")
        self.stdout.flush()

    def detach_stdout(self) -> None:
        """Send further output to /dev/null: stdout's reader is gone (the Python docs' recipe
        for SIGPIPE, so that flushing at exit does not fail again)."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self.stdout.fileno())

    def status(self, text: str) -> None:
        self._err(text, _DIM)

    def error(self, text: str) -> None:
        self._err(f"error: {text}", _RED)

    def _err(self, text: str, colour: str) -> None:
        line = f"{colour}{text}{_RESET}" if self._colour else text
        self.stderr.write(line + "\n")
        self.stderr.flush()
