"""A wijk's statistics are written straight from the domain object (WijkStatisticsRead.json_of); the
bytes must be what pydantic writes for the documented model: any counts, suppressed or not, any
response times, empty series."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.schemas.statistics import WijkStatisticsRead
from domain.statistics import Cell, FirstAction, WijkStatistics

counts = st.integers(0, 10**9) | st.integers(1, 99).map(lambda n: f"<{n}")
months = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}")
series = st.lists(st.builds(Cell, months, st.text(max_size=20), counts), max_size=8).map(tuple)
hours = st.none() | st.floats(0, 10**6, allow_nan=False).map(lambda h: round(h, 1))

statistics = st.builds(
    WijkStatistics,
    wijk_id=st.uuids(),
    from_day=st.dates(),
    to_day=st.dates(),
    minimum_count=st.integers(1, 99),
    signals=series,
    contact_moments=series,
    interventions=series,
    referrals=series,
    first_action=st.builds(FirstAction, counts, hours, hours),
    overdue_follow_ups=counts,
)


@settings(max_examples=300, deadline=None)
@given(statistics)
def test_the_written_statistics_are_what_pydantic_writes(s: WijkStatistics) -> None:
    assert WijkStatisticsRead.json_of(s) == WijkStatisticsRead.of(s).model_dump_json(by_alias=True).encode()
