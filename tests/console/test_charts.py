"""console.charts: geometry of the usage charts."""

from __future__ import annotations

from datetime import date

from zerokeep.console.charts import CHART_HEIGHT, day_columns, ranked_bars
from zerokeep.usage.service import UsageDay


class TestDayColumns:
    def test_missing_days_are_zero_and_the_peak_fills_the_height(self) -> None:
        days = [UsageDay(date(2026, 1, 3), 10, 0, 100), UsageDay(date(2026, 1, 5), 5, 1, 50)]
        columns = day_columns(days, date(2026, 1, 5), 5, lambda d: d.requests)
        assert columns[0].label == "2026-01-01"
        assert [c.value for c in columns] == [0, 0, 10, 0, 5]
        assert columns[2].height == CHART_HEIGHT and columns[2].y == 0
        assert columns[4].height == CHART_HEIGHT // 2
        assert columns[0].height == 0

    def test_no_traffic(self) -> None:
        columns = day_columns([], date(2026, 1, 5), 3, lambda d: d.tokens)
        assert [c.height for c in columns] == [0, 0, 0]


class TestRankedBars:
    def test_largest_first_relative_to_the_largest(self) -> None:
        bars = ranked_bars([("a", 5), ("b", 20), ("c", 10)], limit=2)
        assert [(b.label, b.percent) for b in bars] == [("b", 100.0), ("c", 50.0)]
