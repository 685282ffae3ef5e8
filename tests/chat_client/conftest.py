"""Run `zerokeep chat` as a real subprocess: through a pipe, or on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ZEROKEEP = Path(sys.executable).with_name("zerokeep")
WAIT_SECONDS = 60


def client_env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without keys or zerokeep settings, and no zerokeep.toml."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ZEROKEEP_") and key != "MISTRAL_API_KEY"
    }
    env.update(ZEROKEEP_CONFIG="", TERM="dumb", NO_COLOR="1")
    return env


def run_piped(
    tmp_path: Path, *args: str, stdin: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ZEROKEEP), "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**client_env(tmp_path), **(env or {})},
        cwd=tmp_path,
        timeout=WAIT_SECONDS,
    )


class Terminal:
    """`zerokeep chat` with a pseudo-terminal as stdin, stdout and stderr."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [str(ZEROKEEP), "chat", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=client_env(tmp_path),
            cwd=tmp_path,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.seen = ""  # everything matched so far
        self._pending = ""  # read but not matched yet

    def expect(self, text: str) -> str:
        """Wait (bounded) until `text` appears; returns the output up to and including it."""
        deadline = time.monotonic() + WAIT_SECONDS
        buffer = self._pending
        while text not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"did not see {text!r} in time; got {buffer[-400:]!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the terminal closed before {text!r}; got {buffer!r}")
            buffer += chunk.decode(errors="replace")
        end = buffer.index(text) + len(text)
        self.seen += buffer[:end]
        self._pending = buffer[end:]
        return buffer[:end]

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=WAIT_SECONDS)
        finally:
            os.close(self.master)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_SECONDS)


@pytest.fixture()
def terminal_factory(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        terminal = Terminal(tmp_path, *args)
        started.append(terminal)
        return terminal

    yield start
    for terminal in started:
        terminal.kill()
