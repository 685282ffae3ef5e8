"""Gateway benchmark processes: nginx, slow upstream, gateway; their config files; the seed."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent

CHAT_RESPONSE = (
    '{"id":"cmpl-bench","object":"chat.completion","created":1700000000,'
    '"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant",'
    '"content":"Hello! I am fine, thank you. How can I help you today?","tool_calls":null},'
    '"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":16,'
    '"total_tokens":28}}'
)
SSE_CHUNKS = [
    '{"id":"cmpl-bench","object":"chat.completion.chunk","created":1700000000,'
    '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant",'
    f'"content":"{word}"}},"finish_reason":null}}]}}'
    for word in ("Hello!", " I am", " fine,", " thank you.")
] + [
    '{"id":"cmpl-bench","object":"chat.completion.chunk","created":1700000000,'
    '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},'
    '"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,'
    '"total_tokens":17}}'
]
SSE_BODY = "".join(f"data: {chunk}\n\n" for chunk in SSE_CHUNKS) + "data: [DONE]\n\n"

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location = /v1/chat/completions {{
            default_type application/json;
            return 200 '{chat}';
        }}
        location = /sse/v1/chat/completions {{
            default_type text/event-stream;
            return 200 '{sse}';
        }}
    }}
}}
"""

GATEWAY_TOML = """\
[[providers]]
name = "nginx"
kind = "mistral"
base_url = "http://127.0.0.1:{nginx}"
api_key = "bench-upstream-key"
retention = "none"
timeout_seconds = 30

[[providers]]
name = "nginx-2"
kind = "mistral"
base_url = "http://127.0.0.1:{nginx}"
api_key = "bench-upstream-key"
retention = "none"
timeout_seconds = 30

[[providers]]
name = "nginx-sse"
kind = "mistral"
base_url = "http://127.0.0.1:{nginx}/sse"
api_key = "bench-upstream-key"
retention = "none"
timeout_seconds = 30

[[providers]]
name = "slow"
kind = "mistral"
base_url = "http://127.0.0.1:{slow}"
api_key = "bench-upstream-key"
retention = "none"
timeout_seconds = 120

[[models]]
name = "bench-chat"
provider = "nginx"
upstream_model = "mistral-small-latest"
routes = ["/v1/chat/completions"]

[[models]]
name = "bench-chat-pair"
routes = ["/v1/chat/completions"]
deployments = [
  {{ provider = "nginx", upstream_model = "mistral-small-latest" }},
  {{ provider = "nginx-2", upstream_model = "mistral-small-latest" }},
]

[[models]]
name = "bench-stream"
provider = "nginx-sse"
upstream_model = "mistral-small-latest"
routes = ["/v1/chat/completions"]

[[models]]
name = "bench-slow"
provider = "slow"
upstream_model = "mistral-small-latest"
routes = ["/v1/chat/completions"]
"""

SEED = """\
import asyncio, json
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI
from zerokeep.config import load_settings
from zerokeep.db import create_engine, session_factory, unit_of_work
from zerokeep.organization import service as organization_service
from zerokeep.retention.policy import Plan
from zerokeep.secret import load_keys
from zerokeep.zdr_request import switch as zdr_switch

async def main():
    settings = load_settings()
    keys = load_keys(settings)
    engine = create_engine(settings.resolved_database_url)
    out = {}
    try:
        async with unit_of_work(session_factory(engine)) as session:
            for name, zdr in (("zdr", True), ("archived", False)):
                org = await organization_service.create(
                    session, CLI, name=f"bench {name}", plan=Plan.SCALE)
                if zdr:
                    await zdr_switch.set_zdr(session, CLI, org, enabled=True)
                _, key = await api_key_service.create(
                    session, CLI, keys.api_key_hmac, org, name="bench")
                out[name] = {"organization_id": org.id, "key": key}
    finally:
        await engine.dispose()
    print(json.dumps(out))

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """Children get SIGTERM if this process dies, even by SIGKILL (Linux PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


@dataclass
class Processes:
    workdir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> int:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        self.running[name] = process
        (self.workdir / "pids").mkdir(exist_ok=True)
        (self.workdir / "pids" / name).write_text(str(process.pid))
        return process.pid

    def check(self, name: str) -> None:
        code = self.running[name].poll()
        if code is not None:
            tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with code {code}:\n{tail}")

    def stop_all(self) -> None:
        for name, process in reversed(list(self.running.items())):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            (self.workdir / "pids" / name).unlink(missing_ok=True)
        self.running.clear()


def wait_http(url: str, timeout: float, check: Any) -> None:
    """Poll url until it answers with any HTTP status (the server is up), within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check()
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def run_step(argv: list[str], env: dict[str, str]) -> str:
    """Run a set-up command; on failure, show its output and stop."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:3]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


# --- the three servers ---------------------------------------------------------------------


@dataclass
class Stack:
    """Where the started servers listen, the gateway's pid and data dir, and the seeded orgs."""

    direct: str
    slow: str
    gateway: str
    gateway_pid: int
    data_dir: Path
    seeded: dict[str, dict[str, str]]


def start_nginx(processes: Processes, nginx: str, workdir: Path, port: int) -> str:
    """nginx: the upstream, on its own prefix. Returns its base URL."""
    prefix = workdir / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, chat=CHAT_RESPONSE, sse=SSE_BODY))
    processes.start(
        "nginx", [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    )
    direct = f"http://127.0.0.1:{port}"
    wait_http(direct + "/", 10, lambda: processes.check("nginx"))
    return direct


def start_slow_upstream(processes: Processes, port: int, hold_seconds: float) -> str:
    """The slow upstream, for the memory phase. Returns its base URL."""
    processes.start(
        "slow_upstream",
        [
            sys.executable,
            str(BENCH_DIR / "slow_upstream.py"),
            "--port",
            str(port),
            "--hold",
            str(hold_seconds),
            "--lifetime",
            "1800",
        ],
    )
    slow = f"http://127.0.0.1:{port}"
    wait_http(slow + "/stats", 15, lambda: processes.check("slow_upstream"))
    return slow


def gateway_env(workdir: Path, data_dir: Path, nginx_port: int, slow_port: int) -> dict[str, str]:
    """Write the gateway's config; return the environment that points it at config and data."""
    config = workdir / "zerokeep.toml"
    config.write_text(GATEWAY_TOML.format(nginx=nginx_port, slow=slow_port))
    return {
        **os.environ,
        "ZEROKEEP_DATA_DIR": str(data_dir),
        "ZEROKEEP_CONFIG": str(config),
        "ZEROKEEP_SECRET_KEY": secrets.token_urlsafe(48),
        "ZEROKEEP_LOG_LEVEL": "warning",
        # Rate limits out of the way: this measures the gateway, not the limiter's refusals.
        "ZEROKEEP_DEFAULT_REQUESTS_PER_MINUTE": "1000000000",
        "ZEROKEEP_DEFAULT_TOKENS_PER_MINUTE": "1000000000000",
    }


def start_stack(args: argparse.Namespace, workdir: Path, processes: Processes) -> Stack:
    """Start nginx and the slow upstream, migrate and seed a fresh data dir, start the gateway."""
    nginx_port, slow_port, gateway_port = free_port(), free_port(), free_port()
    direct = start_nginx(processes, args.nginx, workdir, nginx_port)
    slow = start_slow_upstream(processes, slow_port, args.hold_seconds)

    # The gateway's data dir, config, schema and seed.
    data_dir = workdir / "data"
    env = gateway_env(workdir, data_dir, nginx_port, slow_port)
    run_step([str(VENV_BIN / "zerokeep"), "db", "upgrade"], env)
    seeded = json.loads(run_step([sys.executable, "-c", SEED], env).strip().splitlines()[-1])
    gateway_pid = processes.start(
        "gateway",
        [str(VENV_BIN / "zerokeep"), "serve", "--no-demo", "--port", str(gateway_port)],
        env=env,
    )
    gateway = f"http://127.0.0.1:{gateway_port}"
    wait_http(gateway + "/v1/models", 60, lambda: processes.check("gateway"))
    return Stack(direct, slow, gateway, gateway_pid, data_dir, seeded)
