"""Listings that other commands can reuse: a table whose ids are never cut, or JSON.

Ids are what the next command needs (`zdr approve ID`, `key revoke KEY_ID`), so their column
never wraps, folds or ellipsizes, whatever the terminal width; the other columns give way.
`--json` prints the rows as a JSON array for scripts.

    print_listing(rows, ["id", "name", "created"], as_json=json_output, empty="No keys.")
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from zerokeep.cli.runtime import console

JSON_OPTION = typer.Option(False, "--json", help="Print the rows as a JSON array.")

Cell = str | int | float | bool | datetime | list[str] | None
Row = Mapping[str, Cell]


def print_listing(
    rows: Sequence[Row],
    columns: Sequence[str],
    *,
    as_json: bool,
    empty: str,
    id_columns: Sequence[str] = ("id",),
) -> None:
    if as_json:
        print(json.dumps([_jsonable(row) for row in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        console.print(empty, highlight=False)
        return
    table = Table()
    # Rich shrinks every column, no_wrap ones included, when the table is wider than the
    # terminal: then the table is printed wider (the terminal wraps the line, the id stays whole).
    needed = 1
    for column in columns:
        if column in id_columns:
            longest = max(len(_text(row.get(column))) for row in rows)
            width = max(longest, len(column))
            table.add_column(column, no_wrap=True, min_width=width)
        else:
            width = _SQUEEZED
            table.add_column(column, overflow="fold")
        needed += width + 3
    for row in rows:
        table.add_row(*(escape(_text(row.get(column))) for column in columns))
    console.print(table, highlight=False, width=max(console.width, needed))


# The narrowest an ordinary column gets before the table is printed wider than the terminal.
_SQUEEZED = 8


def print_record(record: Row, *, as_json: bool) -> None:
    """One record, a field per line (long text wraps under its name), or a JSON object."""
    if as_json:
        print(json.dumps(_jsonable(record), indent=2, ensure_ascii=False))
        return
    width = max(len(name) for name in record)
    for name, value in record.items():
        console.print(f"{name:<{width}}  {escape(_text(value))}", highlight=False, soft_wrap=True)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _jsonable(row: Row) -> dict[str, object]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in row.items()
    }
