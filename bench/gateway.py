"""Gateway benchmark: zerokeep against the same upstream (nginx) called directly.

Run it through `bench/run.sh`, which installs nginx and wrk if needed, raises the fd limit and
cleans up. Everything listens on 127.0.0.1; every load phase is bounded in time or count.

What it starts (all stopped in `finally`, and by run.sh's trap if this process dies):
  nginx          fixed chat.completion JSON on /v1/chat/completions, fixed SSE body on
                 /sse/v1/chat/completions (a second provider's base_url ends in /sse)
  slow upstream  bench/slow_upstream.py: one SSE chunk, then holds the stream until released
  gateway        `zerokeep serve --no-demo`, ONE worker, fresh SQLite data dir, two orgs:
                 "zdr" (Scale, ZDR active) and "archived" (Scale, no ZDR: payloads archived)

What it measures: wrk requests/s and p50/p99 at 1 and 32 connections for nginx direct and the
gateway with each org; the gateway's own `zerokeep-overhead-ms` header (median of a sample);
time to first SSE chunk, direct vs gateway; gateway RSS while holding 1,000 slow streams;
rows in archive_records per org after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
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
                    await organization_service.set_zdr(session, CLI, org, enabled=True)
                _, key = await api_key_service.create(
                    session, CLI, keys.api_key_hmac, org, name="bench")
                out[name] = {"organization_id": org.id, "key": key}
    finally:
        await engine.dispose()
    print(json.dumps(out))

asyncio.run(main())
"""


def chat_body(model: str, *, stream: bool = False) -> bytes:
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
    }
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


# --- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
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
            preexec_fn=_die_with_parent,
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


# --- wrk -----------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx responses plus socket errors


def wrk(
    workdir: Path, url: str, body: bytes, key: str | None, threads: int, conns: int, seconds: int
) -> WrkResult:
    script = workdir / f"wrk-{secrets.token_hex(4)}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = [[{body.decode()}]]"]
    lines.append('wrk.headers["Content-Type"] = "application/json"')
    if key:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {key}"')
    script.write_text("\n".join(lines) + "\n")
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        errors=(int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in sockets.groups()) if sockets else 0),
    )


# --- Python clients ------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def overhead_sample(url: str, key: str, count: int) -> dict[str, float]:
    """Median of the gateway's own zerokeep-overhead-ms header over `count` sequential calls."""
    values: list[float] = []
    retention = set()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            async with session.post(url, data=chat_body("bench-chat"), headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    raise RuntimeError(f"gateway answered {answer.status}")
                values.append(float(answer.headers["zerokeep-overhead-ms"]))
                retention.add(answer.headers["zerokeep-retention"])
    return {
        "median_ms": statistics.median(values),
        "p99_ms": percentile(values, 0.99),
        "retention": ",".join(sorted(retention)),  # type: ignore[dict-item]
    }


async def _first_chunk_seconds(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> float:
    began = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
        while True:
            line = await answer.content.readline()
            if not line:
                raise RuntimeError(f"{url}: stream ended before any data chunk")
            if line.startswith(b"data:"):
                elapsed = time.perf_counter() - began
                break
        await answer.read()  # drain, so the connection is reused
    return elapsed


async def time_to_first_token(direct_url: str, gateway_url: str, key: str, count: int) -> dict:
    """Sequential, interleaved direct/gateway pairs; the difference is taken per pair."""
    direct_headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
    gateway_headers = {**direct_headers, "Authorization": f"Bearer {key}"}
    direct_body = chat_body("mistral-small-latest", stream=True)
    gateway_body = chat_body("bench-stream", stream=True)
    direct: list[float] = []
    gateway: list[float] = []
    async with aiohttp.ClientSession() as session:
        for index in range(count + 20):  # the first 20 pairs warm up and are dropped
            d = await _first_chunk_seconds(session, direct_url, direct_body, direct_headers)
            g = await _first_chunk_seconds(session, gateway_url, gateway_body, gateway_headers)
            if index >= 20:
                direct.append(d * 1000)
                gateway.append(g * 1000)
    added = [g - d for d, g in zip(direct, gateway, strict=True)]
    return {
        "direct_median_ms": statistics.median(direct),
        "gateway_median_ms": statistics.median(gateway),
        "added_median_ms": statistics.median(added),
        "added_p99_ms": percentile(added, 0.99),
        "direct_p99_ms": percentile(direct, 0.99),
        "gateway_p99_ms": percentile(gateway, 0.99),
        "samples_ms": {"direct": direct, "gateway": gateway},
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def hold_streams(
    gateway_url: str, slow_url: str, key: str, count: int, gateway_pid: int, hold_seconds: float
) -> dict:
    """Open `count` concurrent slow streams, read RSS once all have their first chunk, release."""
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
    }
    body = chat_body("bench-slow", stream=True)
    started = 0
    all_started = asyncio.Event()
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=hold_seconds + 30)

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal started
        try:
            async with session.post(gateway_url, data=body, headers=headers) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"status {answer.status}")
                line = await answer.content.readline()
                if not line.startswith(b"data:"):
                    raise RuntimeError("no first chunk")
                started += 1
                if started == count:
                    all_started.set()
                await answer.read()  # returns once the upstream is released
        except Exception as error:
            failures.append(type(error).__name__ + ": " + str(error)[:100])
            if started + len(failures) >= count:
                all_started.set()

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        tasks = [asyncio.create_task(one(session)) for _ in range(count)]
        began = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_started.wait(), hold_seconds)
        ramp = time.perf_counter() - began
        await asyncio.sleep(1.0)  # let allocations settle before reading
        during = rss_mb(gateway_pid)
        async with session.get(slow_url + "/stats") as answer:
            upstream_open = (await answer.json())["open"]
        async with session.post(slow_url + "/release") as answer:
            await answer.read()
        await asyncio.wait_for(asyncio.gather(*tasks), hold_seconds)
    return {
        "streams": count,
        "streams_with_first_chunk": started,
        "upstream_open_at_reading": upstream_open,
        "failures": failures[:5],
        "failure_count": len(failures),
        "seconds_to_open_all": ramp,
        "rss_during_mb": during,
    }


# --- the run ---------------------------------------------------------------------------------


def versions(nginx: str) -> dict[str, str]:
    from importlib.metadata import version

    found = {
        name: version(name)
        for name in ("zerokeep", "uvicorn", "starlette", "fastapi", "aiohttp", "uvloop")
    }
    found["python"] = sys.version.split()[0]
    found["nginx"] = subprocess.run(
        [nginx, "-v"], capture_output=True, text=True, check=False
    ).stderr.strip()
    found["wrk"] = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[0]
    found["kernel"] = os.uname().release
    found["cpus"] = str(os.cpu_count())
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    processes = Processes(workdir)
    results: dict[str, Any] = {"settings": vars(args).copy()}
    try:
        return _run(args, workdir, processes, results)
    finally:
        processes.stop_all()


def _run(
    args: argparse.Namespace, workdir: Path, processes: Processes, results: dict[str, Any]
) -> dict[str, Any]:
    nginx = args.nginx
    results["versions"] = versions(nginx)
    results["load_average_at_start"] = os.getloadavg()
    nginx_port, slow_port, gateway_port = free_port(), free_port(), free_port()

    # nginx: the upstream, on its own prefix.
    prefix = workdir / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(prefix=prefix, port=nginx_port, chat=CHAT_RESPONSE, sse=SSE_BODY)
    )
    processes.start(
        "nginx", [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    )
    direct = f"http://127.0.0.1:{nginx_port}"
    wait_http(direct + "/", 10, lambda: processes.check("nginx"))

    # The slow upstream, for the memory phase.
    processes.start(
        "slow_upstream",
        [
            sys.executable,
            str(BENCH_DIR / "slow_upstream.py"),
            "--port",
            str(slow_port),
            "--hold",
            str(args.hold_seconds),
            "--lifetime",
            "1800",
        ],
    )
    slow = f"http://127.0.0.1:{slow_port}"
    wait_http(slow + "/stats", 15, lambda: processes.check("slow_upstream"))

    # The gateway's data dir, config, schema and seed.
    data_dir = workdir / "data"
    config = workdir / "zerokeep.toml"
    config.write_text(GATEWAY_TOML.format(nginx=nginx_port, slow=slow_port))
    env = {
        **os.environ,
        "ZEROKEEP_DATA_DIR": str(data_dir),
        "ZEROKEEP_CONFIG": str(config),
        "ZEROKEEP_SECRET_KEY": secrets.token_urlsafe(48),
        "ZEROKEEP_LOG_LEVEL": "warning",
        # Rate limits out of the way: this measures the gateway, not the limiter's refusals.
        "ZEROKEEP_DEFAULT_REQUESTS_PER_MINUTE": "1000000000",
        "ZEROKEEP_DEFAULT_TOKENS_PER_MINUTE": "1000000000000",
    }
    run_step([str(VENV_BIN / "zerokeep"), "db", "upgrade"], env)
    seeded = json.loads(run_step([sys.executable, "-c", SEED], env).strip().splitlines()[-1])
    gateway_pid = processes.start(
        "gateway",
        [str(VENV_BIN / "zerokeep"), "serve", "--no-demo", "--port", str(gateway_port)],
        env=env,
    )
    gateway = f"http://127.0.0.1:{gateway_port}"
    wait_http(gateway + "/v1/models", 60, lambda: processes.check("gateway"))
    time.sleep(1.0)
    results["rss_idle_mb"] = rss_mb(gateway_pid)
    print(f"gateway pid {gateway_pid} on {gateway}, nginx on {direct}, slow upstream on {slow}")

    # Throughput and latency with wrk.
    seconds = args.seconds
    direct_body = chat_body("mistral-small-latest")
    gateway_body = chat_body("bench-chat")
    targets = {
        "direct": (direct + "/v1/chat/completions", direct_body, None),
        "zdr": (gateway + "/v1/chat/completions", gateway_body, seeded["zdr"]["key"]),
        "archived": (gateway + "/v1/chat/completions", gateway_body, seeded["archived"]["key"]),
    }
    wrk_results: dict[str, dict[str, Any]] = {}
    for name, (url, body, key) in targets.items():
        wrk(workdir, url, body, key, 2, 32, 2)  # warm-up, not reported
        one = wrk(workdir, url, body, key, 1, 1, seconds)
        many = wrk(workdir, url, body, key, 2, 32, seconds)
        processes.check("gateway")
        wrk_results[name] = {"c1": vars(one), "c32": vars(many)}
        print(
            f"{name:9} c1 p50 {one.p50_ms:.3f} ms p99 {one.p99_ms:.3f} ms | c32 "
            f"{many.requests_per_second:.0f} req/s p50 {many.p50_ms:.3f} ms "
            f"p99 {many.p99_ms:.3f} ms | errors {one.errors + many.errors}",
            flush=True,
        )
        if name != "direct":
            time.sleep(1.0)  # let the batchers write what this phase queued
    results["wrk"] = wrk_results

    if args.profile_seconds and Path(args.py_spy).exists():
        results["profile"] = profile(args, workdir, gateway_pid, targets[args.profile_org])

    # The gateway's own view of its overhead.
    url = gateway + "/v1/chat/completions"
    results["overhead_header"] = {
        name: asyncio.run(overhead_sample(url, seeded[name]["key"], args.samples))
        for name in ("zdr", "archived")
    }
    print("overhead header:", results["overhead_header"], flush=True)

    # Time to first token.
    results["ttft"] = asyncio.run(
        time_to_first_token(
            direct + "/sse/v1/chat/completions", url, seeded["zdr"]["key"], args.ttft_requests
        )
    )
    summary = {k: round(v, 3) for k, v in results["ttft"].items() if k != "samples_ms"}
    print("time to first token:", summary, flush=True)

    # The archive path was exercised: rows for the archived org, none for the ZDR org.
    time.sleep(2.0)
    with contextlib.closing(sqlite3.connect(data_dir / "zerokeep.db", timeout=30)) as db:
        archive = dict(
            db.execute(
                "SELECT organization_id, count(*) FROM archive_records GROUP BY organization_id"
            ).fetchall()
        )
        usage = db.execute("SELECT count(*) FROM usage_records").fetchone()[0]
    results["archive_rows"] = {
        name: archive.get(seeded[name]["organization_id"], 0) for name in ("zdr", "archived")
    }
    results["usage_rows"] = usage
    print("archive rows:", results["archive_rows"], "usage rows:", usage, flush=True)

    # Memory while holding slow streams.
    results["rss_before_streams_mb"] = rss_mb(gateway_pid)
    results["streams"] = asyncio.run(
        hold_streams(url, slow, seeded["zdr"]["key"], args.streams, gateway_pid, args.hold_seconds)
    )
    time.sleep(1.0)
    results["rss_after_streams_mb"] = rss_mb(gateway_pid)
    processes.check("gateway")
    print("streams:", results["streams"], flush=True)
    results["load_average_at_end"] = os.getloadavg()
    return results


def profile(
    args: argparse.Namespace, workdir: Path, pid: int, target: tuple[str, bytes, str | None]
) -> dict[str, Any]:
    """py-spy (raw collapsed stacks) on the gateway during a 32-connection wrk run."""
    output = workdir / "profile.txt"
    spy = subprocess.Popen(
        [
            args.py_spy,
            "record",
            "--pid",
            str(pid),
            "-d",
            str(args.profile_seconds),
            "--format",
            "raw",
            "-o",
            str(output),
            "--rate",
            "200",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    try:
        loaded = wrk(workdir, *target, 2, 32, args.profile_seconds)
    finally:
        spy.wait(timeout=args.profile_seconds + 60)
    return {"file": str(output), "requests_per_second_under_py_spy": loaded.requests_per_second}


def table(results: dict[str, Any]) -> str:
    wrk_results = results["wrk"]
    rows = [
        "| measure | nginx direct | gateway, ZDR org | gateway, archived org |",
        "|---|---|---|---|",
    ]

    def row(label: str, pick: Any, fmt: str) -> None:
        cells = [format(pick(wrk_results[name]), fmt) for name in ("direct", "zdr", "archived")]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    row("requests/s, 32 connections", lambda r: r["c32"]["requests_per_second"], ".0f")
    row("p50 ms, 1 connection", lambda r: r["c1"]["p50_ms"], ".3f")
    row("p99 ms, 1 connection", lambda r: r["c1"]["p99_ms"], ".3f")
    row("p50 ms, 32 connections", lambda r: r["c32"]["p50_ms"], ".3f")
    row("p99 ms, 32 connections", lambda r: r["c32"]["p99_ms"], ".3f")
    row("errors (non-2xx + socket)", lambda r: r["c1"]["errors"] + r["c32"]["errors"], "d")
    direct_p50 = wrk_results["direct"]["c1"]["p50_ms"]
    added = [wrk_results[name]["c1"]["p50_ms"] - direct_p50 for name in ("zdr", "archived")]
    rows.append(f"| added p50 ms, 1 connection | - | {added[0]:.3f} | {added[1]:.3f} |")
    header = results["overhead_header"]
    rows.append(
        "| zerokeep-overhead-ms, median | - | "
        f"{header['zdr']['median_ms']:.3f} | {header['archived']['median_ms']:.3f} |"
    )
    ttft = results["ttft"]
    streams = results["streams"]
    lines = [
        *rows,
        "",
        f"time to first token: direct {ttft['direct_median_ms']:.3f} ms, gateway "
        f"{ttft['gateway_median_ms']:.3f} ms; added median {ttft['added_median_ms']:.3f} ms, "
        f"p99 {ttft['added_p99_ms']:.3f} ms",
        f"RSS: idle {results['rss_idle_mb']:.1f} MB, "
        f"after load {results['rss_before_streams_mb']:.1f} MB, "
        f"holding {streams['streams_with_first_chunk']}/{streams['streams']} streams "
        f"{streams['rss_during_mb']:.1f} MB, "
        f"after release {results['rss_after_streams_mb']:.1f} MB",
        f"load average (1 min) at start {results['load_average_at_start'][0]:.2f}, "
        f"at end {results['load_average_at_end'][0]:.2f}",
        f"archive_records rows: ZDR org {results['archive_rows']['zdr']}, "
        f"archived org {results['archive_rows']['archived']}; "
        f"usage_records rows {results['usage_rows']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="zerokeep gateway benchmark (see bench/README.md)")
    parser.add_argument("--workdir", required=True, help="scratch directory (logs, data, conf)")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--samples", type=int, default=500, help="requests for the header median")
    parser.add_argument("--ttft-requests", type=int, default=200)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--hold-seconds", type=float, default=60.0)
    parser.add_argument("--profile-seconds", type=int, default=0, help="py-spy run, 0 = none")
    parser.add_argument("--profile-org", choices=("zdr", "archived"), default="archived")
    parser.add_argument("--py-spy", default=str(VENV_BIN / "py-spy"))
    parser.add_argument("--nginx", default="nginx")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    results = run(args)
    print()
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
