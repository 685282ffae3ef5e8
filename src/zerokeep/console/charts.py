"""Chart geometry for server-rendered SVG: pure functions from numbers to rectangles.

columns = day_columns(days, today, span=30, value=lambda d: d.requests)
bars = ranked_bars([("chat/completions", 120), ("embeddings", 30)])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from zerokeep.usage.service import UsageDay

CHART_HEIGHT = 120
COLUMN_WIDTH = 18
COLUMN_GAP = 4


@dataclass(frozen=True, slots=True)
class Column:
    x: int
    y: int
    height: int
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    percent: float


def day_columns(
    days: Iterable[UsageDay], today: date, span: int, value: Callable[[UsageDay], int]
) -> list[Column]:
    """One column per day of the last `span` days (missing days are zero), scaled to the max."""
    by_day = {day.day: value(day) for day in days}
    first = today - timedelta(days=span - 1)
    values = [
        (first + timedelta(days=i), by_day.get(first + timedelta(days=i), 0)) for i in range(span)
    ]
    peak = max((v for _, v in values), default=0) or 1
    columns = []
    for index, (day, amount) in enumerate(values):
        height = round(amount / peak * CHART_HEIGHT) if amount else 0
        columns.append(
            Column(
                x=index * (COLUMN_WIDTH + COLUMN_GAP),
                y=CHART_HEIGHT - height,
                height=height,
                label=day.isoformat(),
                value=amount,
            )
        )
    return columns


def chart_width(span: int) -> int:
    return span * (COLUMN_WIDTH + COLUMN_GAP) - COLUMN_GAP


def ranked_bars(items: Iterable[tuple[str, int]], limit: int = 10) -> list[Bar]:
    """Largest first, at most `limit`, each as a percent of the largest."""
    ranked = sorted(items, key=lambda item: item[1], reverse=True)[:limit]
    peak = max((value for _, value in ranked), default=0) or 1
    return [Bar(label, value, round(value / peak * 100, 1)) for label, value in ranked]
