"""Statistics rules without a database: suppression of small counts, the response-time figures, the
period asked and its local calendar months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import InvalidInput
from domain.statistics import (
    MAX_MONTHS,
    CountRow,
    Durations,
    cells,
    check_period,
    default_period,
    first_action,
    months_of,
    suppress,
)

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(("count", "minimum", "shown"), [
    (0, 5, "<5"), (1, 5, "<5"), (4, 5, "<5"), (5, 5, 5), (17, 5, 17), (2, 3, "<3"), (3, 3, 3), (0, 1, "<1"), (1, 1, 1),
])
def test_counts_below_the_minimum_are_suppressed(count: int, minimum: int, shown: int | str) -> None:
    assert suppress(count, minimum) == shown


def test_cells_are_suppressed_and_ordered_by_month_then_group() -> None:
    rows = [CountRow("2026-02", "vervuiling", 7), CountRow("2026-01", "onderhoud", 2), CountRow("2026-01", "burenruzie", 5)]
    assert [(c.period, c.key, c.count) for c in cells(rows, 5)] == [
        ("2026-01", "burenruzie", 5), ("2026-01", "onderhoud", "<5"), ("2026-02", "vervuiling", 7),
    ]


def test_response_times_only_for_enough_signals() -> None:
    few = first_action(Durations(4, 3600.0, 7200.0), 5)
    assert (few.signals, few.median_hours, few.average_hours) == ("<5", None, None)
    enough = first_action(Durations(5, 3 * 3600.0, 4 * 3600.0 + 360), 5)
    assert (enough.signals, enough.median_hours, enough.average_hours) == (5, 3.0, 4.1)
    none = first_action(Durations(0, None, None), 1)
    assert (none.signals, none.median_hours) == ("<1", None)


def test_the_default_period_is_the_last_twelve_months() -> None:
    assert default_period(TODAY) == (date(2025, 12, 1), TODAY)
    assert default_period(date(2026, 1, 31)) == (date(2025, 2, 1), date(2026, 1, 31))
    assert check_period(None, None, TODAY) == (date(2025, 12, 1), TODAY)
    assert check_period(None, date(2026, 3, 10), TODAY) == (date(2025, 4, 1), date(2026, 3, 10))
    assert check_period(date(2026, 12, 5), None, TODAY) == (date(2026, 12, 5), date(2026, 12, 5))


def test_a_period_runs_forward_and_spans_at_most_36_months() -> None:
    with pytest.raises(InvalidInput) as backwards:
        check_period(date(2026, 3, 1), date(2026, 2, 1), TODAY)
    assert backwards.value.params[0].name == "to"
    assert check_period(date(2024, 1, 1), date(2026, 12, 31), TODAY)[0] == date(2024, 1, 1)
    with pytest.raises(InvalidInput) as too_long:
        check_period(date(2023, 12, 31), date(2026, 12, 1), TODAY)
    assert too_long.value.params[0].name == "from" and str(MAX_MONTHS) in too_long.value.params[0].reason


def test_months_are_local_calendar_months_clipped_to_the_period() -> None:
    months = months_of(date(2026, 3, 15), date(2026, 5, 2))
    assert [m.label for m in months] == ["2026-03", "2026-04", "2026-05"]
    # Amsterdam: CET (+1) in March before the 29th, CEST (+2) from then on
    assert months[0].start == datetime(2026, 3, 14, 23, tzinfo=UTC)
    assert months[0].end == months[1].start == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert months[2].end == datetime(2026, 5, 2, 22, tzinfo=UTC), "the last day is included"
    december = months_of(date(2026, 12, 1), date(2027, 1, 31))
    assert [m.label for m in december] == ["2026-12", "2027-01"]
    assert months_of(TODAY, TODAY)[0].label == "2026-11"
