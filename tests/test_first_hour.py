"""The first hour, as the README tells a newcomer: `./scripts/run`, the Python and curl calls,
then the "Your first hour" commands, each exactly as written (the console login as `serve`
prints it, on a terminal), on a fresh data directory, checking each output.

Two deviations, both through documented settings: the data directory is a temporary one
(ZEROKEEP_DATA_DIR) and the port a free one (`./scripts/run --port P`), because this machine
runs other servers; the README's `http://127.0.0.1:8000` and `zk_...` are replaced by the real
base URL and the printed demo key.
"""

from __future__ import annotations

import fcntl
import os
import pty
import queue
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PASSWORD = "first hour passphrase"
STARTUP_SECONDS = 600  # scripts/run runs pip first (from the cache: seconds on an idle machine)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def first_hour_commands() -> list[str]:
    section = README.split("### Your first hour", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    return [line.split("  #")[0].strip() for line in section.splitlines() if line.strip()]


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEROKEEP_")}
    # A newcomer's shell: the virtualenv is not on PATH.
    venv_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    env.update(
        PATH=os.pathsep.join(path),
        ZEROKEEP_DATA_DIR=str(data_dir),
        ZEROKEEP_CONFIG="",
        PYTHONUNBUFFERED="1",
        COLUMNS="100",
        NO_COLOR="1",
    )
    return env


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = environment(data_dir)
        self.process = subprocess.Popen(
            ["./scripts/run", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, seconds: float = STARTUP_SECONDS) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while (found := re.search(pattern, self.output)) is None:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {pattern!r} in {self.output[-2000:]!r}"
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            assert line is not None, f"the server ended: {self.output[-2000:]!r}"
            self.output += line
        return found

    def ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base_url + "/v1/trust", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling a server we do not control the start of
        raise AssertionError("the server did not answer")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "zerokeep-data")
    try:
        yield running
    finally:
        running.stop()


def run(command: str, server: Server) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        shlex.split(command), cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result


def run_on_a_terminal(command: str, server: Server, answers: list[tuple[str, str]]) -> str:
    """Run `command` with a pseudo-terminal (it prompts), answering each prompt in turn."""
    master, slave = pty.openpty()

    def controlling_terminal() -> None:  # the pty is the child's /dev/tty, as in a real shell
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        shlex.split(command),
        cwd=ROOT,
        env=server.env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    seen = ""
    pending = list(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096).decode(errors="replace")
            except OSError:
                chunk = ""
            if not chunk:
                break
            seen += chunk
            # Answer once the prompt waits for input (getpass flushes what was typed before).
            if pending and seen.rsplit("\n", 1)[-1].endswith(pending[0][0] + ": "):
                os.write(master, (pending.pop(0)[1] + "\n").encode())
        elif process.poll() is not None:
            break
    os.close(master)
    assert process.wait(timeout=30) == 0, seen
    return seen


def substituted(text: str, server: Server, key: str) -> str:
    return text.replace("http://127.0.0.1:8000", server.base_url).replace("zk_...", key)


def test_the_first_hour_as_the_readme_tells_it(server: Server) -> None:
    # ./scripts/run: the banner names what the newcomer needs, and commands that work as shown.
    server.wait_for(rf"is starting on {re.escape(server.base_url)}")
    server.wait_for(r"config file:\s+none \(built-in defaults\)")
    server.wait_for(r"provider local \(local\): declared retention none")
    key = server.wait_for(r"demo API key:\s+(zk_[A-Za-z0-9]{42})").group(1)
    hint = server.wait_for(r"create a login: (.+ --role owner)\)").group(1)
    assert hint == ".venv/bin/zerokeep user create you@example.com --org demo --role owner"
    server.ready()

    # The Python block, as written (key and URL substituted).
    (python_block,) = blocks("python")
    reply = subprocess.run(
        [sys.executable, "-c", substituted(python_block, server, key)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert reply.returncode == 0, reply.stderr
    assert reply.stdout.strip()

    # The curl block.
    curl = next(block for block in blocks("sh") if block.startswith("curl"))
    answer = subprocess.run(
        ["bash", "-c", substituted(curl, server, key)], capture_output=True, text=True, timeout=300
    )
    assert answer.returncode == 0, answer.stderr
    assert re.search(r"^HTTP/1.1 200", answer.stdout, re.MULTILINE)
    assert re.search(r"^zerokeep-retention: none", answer.stdout, re.MULTILINE | re.IGNORECASE)

    commands = first_hour_commands()
    assert [c.split()[1:3] for c in commands] == [
        ["org", "list"],
        ["user", "create"],
        ["key", "create"],
        ["key", "list"],
        ["usage", "--org"],
        ["audit", "log"],
    ]
    organizations = run(commands[0], server).stdout
    assert re.search(r"demo\s.*scale\s.*active", organizations)

    assert commands[1] == hint  # the README and the banner say the same thing
    prompts = [("Password (at least 12 characters)", PASSWORD), ("Repeat the password", PASSWORD)]
    created = run_on_a_terminal(commands[1], server, prompts)
    assert "Created user usr_" in created and "owner of demo" in created

    key_created = run(commands[2], server).stdout
    key_id = re.search(r"Created key (key_[0-9a-f]+) \(laptop\)", key_created)
    assert key_id and re.search(r"^zk_[A-Za-z0-9]{42}$", key_created, re.MULTILINE)
    assert key_id.group(1) in run(commands[3], server).stdout

    usage = run(commands[4], server).stdout
    assert re.search(r"demo\s.*/v1/chat/completions\s.*local-chat", usage)

    audit = run(commands[5], server).stdout
    assert "api_key.created" in audit and "member.added" in audit

    # The console login with that email and password, and the Trust page.
    with httpx.Client(base_url=server.base_url + "/console") as console:
        page = console.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        login = console.post(
            "/login",
            data={"email": "you@example.com", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert login.status_code == 303
        assert "you@example.com" in console.get("/", follow_redirects=True).text
    trust = httpx.get(server.base_url + "/trust")
    assert trust.status_code == 200 and "/v1/chat/completions" in trust.text
