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

This module parses the arguments, runs the phases in order and prints the table; the servers are
started by `processes.py` and measured by `measure.py` (sibling modules, imported as a script's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measure import (
    chat_body,
    hold_streams,
    overhead_sample,
    profile,
    rss_mb,
    stored_rows,
    time_to_first_token,
    wrk,
)
from processes import VENV_BIN, Processes, Stack, start_stack

Target = tuple[str, bytes, str | None]


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
    results["versions"] = versions(args.nginx)
    results["load_average_at_start"] = os.getloadavg()
    stack = start_stack(args, workdir, processes)
    time.sleep(1.0)
    results["rss_idle_mb"] = rss_mb(stack.gateway_pid)
    print(
        f"gateway pid {stack.gateway_pid} on {stack.gateway}, nginx on {stack.direct}, "
        f"slow upstream on {stack.slow}"
    )
    targets = _targets(stack)
    results["wrk"] = _throughput(workdir, processes, targets, args.seconds)
    if args.profile_seconds and Path(args.py_spy).exists():
        results["profile"] = profile(
            args.py_spy,
            args.profile_seconds,
            workdir,
            stack.gateway_pid,
            targets[args.profile_org],
        )
    _overhead_and_first_token(args, stack, results)
    _stored_rows(stack, results)
    _memory(args, stack, processes, results)
    results["load_average_at_end"] = os.getloadavg()
    return results


def _targets(stack: Stack) -> dict[str, Target]:
    """URL, body and key for nginx direct and for the gateway with each org."""
    gateway_body = chat_body("bench-chat")
    url = stack.gateway + "/v1/chat/completions"
    return {
        "direct": (stack.direct + "/v1/chat/completions", chat_body("mistral-small-latest"), None),
        "zdr": (url, gateway_body, stack.seeded["zdr"]["key"]),
        "archived": (url, gateway_body, stack.seeded["archived"]["key"]),
    }


def _throughput(
    workdir: Path, processes: Processes, targets: dict[str, Target], seconds: int
) -> dict[str, dict[str, Any]]:
    """Throughput and latency with wrk, at 1 and 32 connections, after a warm-up run."""
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
    return wrk_results


def _overhead_and_first_token(
    args: argparse.Namespace, stack: Stack, results: dict[str, Any]
) -> None:
    """The gateway's own view of its overhead, then time to first token."""
    url = stack.gateway + "/v1/chat/completions"
    results["overhead_header"] = {
        name: asyncio.run(overhead_sample(url, stack.seeded[name]["key"], args.samples))
        for name in ("zdr", "archived")
    }
    results["overhead_deployments"] = _one_versus_two(url, stack.seeded["zdr"]["key"], args)
    print("overhead header:", results["overhead_header"], flush=True)
    print("one vs two deployments:", results["overhead_deployments"], flush=True)

    results["ttft"] = asyncio.run(
        time_to_first_token(
            stack.direct + "/sse/v1/chat/completions",
            url,
            stack.seeded["zdr"]["key"],
            args.ttft_requests,
        )
    )
    summary = {k: round(v, 3) for k, v in results["ttft"].items() if k != "samples_ms"}
    print("time to first token:", summary, flush=True)


def _one_versus_two(url: str, key: str, args: argparse.Namespace) -> dict[str, Any]:
    """The overhead header for one model behind one deployment and behind two (same upstream),
    in alternating rounds so both see the same machine load."""
    rounds: dict[str, list[float]] = {"one": [], "two": []}
    for _ in range(5):
        for name, model in (("one", "bench-chat"), ("two", "bench-chat-pair")):
            sample = asyncio.run(overhead_sample(url, key, max(1, args.samples // 5), model))
            rounds[name].append(sample["median_ms"])
    return {
        name: {"median_of_round_medians_ms": statistics.median(values), "rounds_ms": values}
        for name, values in rounds.items()
    }


def _stored_rows(stack: Stack, results: dict[str, Any]) -> None:
    """The archive path was exercised: rows for the archived org, none for the ZDR org."""
    time.sleep(2.0)
    archive, usage = stored_rows(stack.data_dir)
    results["archive_rows"] = {
        name: archive.get(stack.seeded[name]["organization_id"], 0) for name in ("zdr", "archived")
    }
    results["usage_rows"] = usage
    print("archive rows:", results["archive_rows"], "usage rows:", usage, flush=True)


def _memory(
    args: argparse.Namespace, stack: Stack, processes: Processes, results: dict[str, Any]
) -> None:
    """Memory while holding slow streams."""
    url = stack.gateway + "/v1/chat/completions"
    results["rss_before_streams_mb"] = rss_mb(stack.gateway_pid)
    results["streams"] = asyncio.run(
        hold_streams(
            url,
            stack.slow,
            stack.seeded["zdr"]["key"],
            args.streams,
            stack.gateway_pid,
            args.hold_seconds,
        )
    )
    time.sleep(1.0)
    results["rss_after_streams_mb"] = rss_mb(stack.gateway_pid)
    processes.check("gateway")
    print("streams:", results["streams"], flush=True)


# --- the report ------------------------------------------------------------------------------


def _wrk_rows(results: dict[str, Any]) -> list[str]:
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
    return rows


def table(results: dict[str, Any]) -> str:
    ttft = results["ttft"]
    streams = results["streams"]
    lines = [
        *_wrk_rows(results),
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
        "zerokeep-overhead-ms, ZDR org, median of 5 alternating rounds: one deployment "
        f"{results['overhead_deployments']['one']['median_of_round_medians_ms']:.3f} ms, "
        "two deployments behind one name "
        f"{results['overhead_deployments']['two']['median_of_round_medians_ms']:.3f} ms",
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
