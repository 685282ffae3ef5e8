"""Gateway benchmark measurements: wrk, the overhead header, time to first token, streams, RSS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import sqlite3
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from processes import die_with_parent


def chat_body(model: str, *, stream: bool = False) -> bytes:
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
    }
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


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


def _wrk_script(workdir: Path, body: bytes, key: str | None) -> Path:
    script = workdir / f"wrk-{secrets.token_hex(4)}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = [[{body.decode()}]]"]
    lines.append('wrk.headers["Content-Type"] = "application/json"')
    if key:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {key}"')
    script.write_text("\n".join(lines) + "\n")
    return script


def _parse_wrk(output: str) -> WrkResult:
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


def wrk(
    workdir: Path, url: str, body: bytes, key: str | None, threads: int, conns: int, seconds: int
) -> WrkResult:
    script = _wrk_script(workdir, body, key)
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    return _parse_wrk(output)


def profile(
    py_spy: str, seconds: int, workdir: Path, pid: int, target: tuple[str, bytes, str | None]
) -> dict[str, Any]:
    """py-spy (raw collapsed stacks) on the gateway during a 32-connection wrk run."""
    output = workdir / "profile.txt"
    spy = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "-d",
            str(seconds),
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
        preexec_fn=die_with_parent,
    )
    try:
        loaded = wrk(workdir, *target, 2, 32, seconds)
    finally:
        spy.wait(timeout=seconds + 60)
    return {"file": str(output), "requests_per_second_under_py_spy": loaded.requests_per_second}


# --- Python clients ------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def overhead_sample(
    url: str, key: str, count: int, model: str = "bench-chat"
) -> dict[str, float]:
    """Median of the gateway's own zerokeep-overhead-ms header over `count` sequential calls."""
    values: list[float] = []
    retention = set()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = chat_body(model)
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            async with session.post(url, data=body, headers=headers) as answer:
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


async def time_to_first_token(
    direct_url: str, gateway_url: str, key: str, count: int
) -> dict[str, Any]:
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


# --- memory and stored rows ----------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass
class _HeldStreams:
    """Counts the streams that got their first chunk; `all_started` is set once all are in."""

    count: int
    started: int = 0
    failures: list[str] = field(default_factory=list)
    all_started: asyncio.Event = field(default_factory=asyncio.Event)

    async def hold_one(
        self, session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
    ) -> None:
        try:
            async with session.post(url, data=body, headers=headers) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"status {answer.status}")
                line = await answer.content.readline()
                if not line.startswith(b"data:"):
                    raise RuntimeError("no first chunk")
                self.started += 1
                if self.started == self.count:
                    self.all_started.set()
                await answer.read()  # returns once the upstream is released
        except Exception as error:
            self.failures.append(type(error).__name__ + ": " + str(error)[:100])
            if self.started + len(self.failures) >= self.count:
                self.all_started.set()


async def _release_upstream(session: aiohttp.ClientSession, slow_url: str) -> Any:
    """Ask the slow upstream how many streams it holds open, then release them all."""
    async with session.get(slow_url + "/stats") as answer:
        upstream_open = (await answer.json())["open"]
    async with session.post(slow_url + "/release") as answer:
        await answer.read()
    return upstream_open


async def hold_streams(
    gateway_url: str, slow_url: str, key: str, count: int, gateway_pid: int, hold_seconds: float
) -> dict[str, Any]:
    """Open `count` concurrent slow streams, read RSS once all have their first chunk, release."""
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
    }
    body = chat_body("bench-slow", stream=True)
    held = _HeldStreams(count)
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=hold_seconds + 30)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        tasks = [
            asyncio.create_task(held.hold_one(session, gateway_url, body, headers))
            for _ in range(count)
        ]
        began = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(held.all_started.wait(), hold_seconds)
        ramp = time.perf_counter() - began
        await asyncio.sleep(1.0)  # let allocations settle before reading
        during = rss_mb(gateway_pid)
        upstream_open = await _release_upstream(session, slow_url)
        await asyncio.wait_for(asyncio.gather(*tasks), hold_seconds)
    return {
        "streams": count,
        "streams_with_first_chunk": held.started,
        "upstream_open_at_reading": upstream_open,
        "failures": held.failures[:5],
        "failure_count": len(held.failures),
        "seconds_to_open_all": ramp,
        "rss_during_mb": during,
    }


def stored_rows(data_dir: Path) -> tuple[dict[str, int], int]:
    """archive_records rows per organization id, and the count of usage_records rows."""
    with contextlib.closing(sqlite3.connect(data_dir / "zerokeep.db", timeout=30)) as db:
        archive = dict(
            db.execute(
                "SELECT organization_id, count(*) FROM archive_records GROUP BY organization_id"
            ).fetchall()
        )
        usage = db.execute("SELECT count(*) FROM usage_records").fetchone()[0]
    return archive, usage
