"""The human summary of a report: per sink what was scanned and found, traffic, control, verdict.

print_summary(console, document["report"])
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _scanned(counts: dict[str, int]) -> str:
    parts = [f"{value:,} {name}" for name, value in counts.items() if value]
    return ", ".join(parts) or "-"


def print_summary(console: Console, body: dict[str, Any]) -> None:
    config = body["configuration"]
    console.print(
        f"[bold]Retention audit[/bold] {body['deployment_id']} (zerokeep {body['version']}, "
        f"{body['mode']}, {config['database_backend']}, {body['duration_ms'] / 1000:.1f} s)",
        highlight=False,
    )
    table = Table("sink", "status", "scanned", "found")
    for sink in body["sinks"]:
        found = len(sink["findings"])
        table.add_row(
            sink["name"],
            sink["status"] + (f" ({sink['reason']})" if sink["reason"] else ""),
            _scanned(sink["scanned"]),
            f"[red]{found} canary hit(s)[/red]" if found else "nothing",
        )
    console.print(table)
    traffic = body["traffic"]
    for label, calls in (
        ("routes (ZDR org)", traffic["routes"]),
        ("failure paths (ZDR org)", traffic["failure_paths"]),
        ("control traffic", traffic["control"]),
    ):
        sent = [call for call in calls if not call["skipped"]]
        expected = sum(1 for call in sent if call["as_expected"])
        skipped = len(calls) - len(sent)
        tail = f", {skipped} not sent" if skipped else ""
        console.print(f"  {label}: {len(sent)} sent, {expected} as expected{tail}")
    _print_control(console, body.get("positive_control"))
    for reason in body["failures"]:
        console.print(f"  [red]FAIL[/red] {reason}", highlight=False)
    colour = "green" if body["verdict"] == "PASS" else "red"
    console.print(f"Verdict: [bold {colour}]{body['verdict']}[/bold {colour}]")


def _print_control(console: Console, control: dict[str, Any] | None) -> None:
    if control is None:
        console.print("  positive control: not run")
        return
    console.print(
        f"  positive control: {control['records_found']} archive record(s), canary found for "
        f"{len(control['routes_found'])} route(s); purge {control['purge']} "
        f"({control['records_purged']} purged, {control['rows_after_purge']} left)",
        highlight=False,
    )
    if control["residue_after_purge"]:
        console.print(
            f"  note: ciphertext of purged records still in {len(control['residue_after_purge'])}"
            " PostgreSQL file(s) (dead tuples / WAL until VACUUM)"
        )
