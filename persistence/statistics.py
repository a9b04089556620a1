"""The statistics of a wijk, counted by the database.

The counts per month and group come from statistics_month_count (migration 0009), which triggers keep
exact in the same transaction as every write to the counted tables: a year of a wijk is a few hundred
rows of counts, whatever the volume. A month the period covers only in part (its first or last, when
the period starts or ends mid-month) is counted from the rows themselves, as are months before 1996
(the counts' local month is exact from then on); both parts are one statement, summed per month and
group. Only groups with at least one row are reported, as a GROUP BY over the rows would.

For the rows counted directly a month is a CASE over the instant, built from the month boundaries the
domain computed in local time, so months are Amsterdam months on SQLite (which knows no time zones)
and PostgreSQL alike. The label is computed in a subquery and grouped by in the outer query:
PostgreSQL would not recognise two copies of a CASE with bound parameters as the same expression.

The time to first action needs every duration (a median), so it reads the signals of the period along
their (wijk_id, created_at) index, which carries first_action_at.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domain.referrals import ReferralStatus
from domain.statistics import CountRow, Counts, Durations, Month, Timeliness
from persistence.db import on_postgresql
from persistence.tables_casework import InterventionRow, SignalRow
from persistence.tables_referrals import ContactMomentRow, ReferralRow
from persistence.tables_statistics import StatisticsMonthCountRow
from persistence.types import UTCDateTime

SIGNAL: Table = SignalRow.__table__  # type: ignore[assignment]
INTERVENTION: Table = InterventionRow.__table__  # type: ignore[assignment]
MOMENT: Table = ContactMomentRow.__table__  # type: ignore[assignment]
REFERRAL: Table = ReferralRow.__table__  # type: ignore[assignment]
MONTH_COUNT: Table = StatisticsMonthCountRow.__table__  # type: ignore[assignment]

# (series in statistics_month_count = the table, its instant, its group column)
SERIES: tuple[tuple[Table, str, str], ...] = (
    (SIGNAL, "created_at", "category"),
    (MOMENT, "occurred_at", "kind"),
    (INTERVENTION, "created_at", "phase"),
    (REFERRAL, "created_at", "status"),
)
# The first month whose kept counts place every row in its Europe/Amsterdam month on both databases.
COUNTS_KEPT_FROM = "1996-01"


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it renders
    """Seconds from the second instant to the first, on either database."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"


def _month(column: Any, months: list[Month]) -> Any:
    return case(*[(column < m.end, m.label) for m in months])


def kept_months(months: tuple[Month, ...]) -> list[Month]:
    """The months read from the kept counts: whole months from COUNTS_KEPT_FROM on (contiguous)."""
    return [m for m in months if m.whole and m.label >= COUNTS_KEPT_FROM]


def _counted_rows(table: Table, instant: str, group: str, wijk_id: UUID, months: list[Month]) -> Any:
    """One row per row of `table` in `months` (ascending, not necessarily adjacent): series, month, group, 1."""
    c = table.c
    labelled = (
        select(_month(c[instant], months).label("period"), c[group].label("key"))
        .where(c.wijk_id == wijk_id, or_(*(and_(c[instant] >= m.start, c[instant] < m.end) for m in months)))
        .subquery()
    )
    return select(
        literal(table.name, String).label("series"),
        labelled.c.period,
        labelled.c.key,
        literal(1, Integer).label("n"),
    )


def _kept_and_counted(wijk_id: UUID, kept: list[Month], direct: list[Month]) -> Any:
    """The kept counts of `kept` and the rows of `direct` counted, summed per series, month and group."""
    parts: list[Any] = []
    if kept:
        k = MONTH_COUNT.c
        parts.append(
            select(k.series, k.month.label("period"), k.group_key.label("key"), k.n).where(
                k.wijk_id == wijk_id, k.month >= kept[0].label, k.month <= kept[-1].label
            )
        )
    parts += [_counted_rows(table, instant, group, wijk_id, direct) for table, instant, group in SERIES]
    every = union_all(*parts).subquery()
    total = func.sum(every.c.n)
    return (
        select(every.c.series, every.c.period, every.c.key, total)
        .group_by(every.c.series, every.c.period, every.c.key)
        .having(total > 0)
    )


_KEPT_ONLY = text("""
SELECT series, month, group_key, sum(n) FROM statistics_month_count
WHERE wijk_id = :wijk_id AND month >= :first AND month <= :last
GROUP BY series, month, group_key
HAVING sum(n) > 0
""").bindparams(bindparam("wijk_id", type_=Uuid()), bindparam("first", type_=String()), bindparam("last", type_=String()))


class SqlStatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(self, wijk_id: UUID, months: tuple[Month, ...]) -> Counts:
        kept = kept_months(months)
        direct = [m for m in months if m not in kept]
        if direct:
            stmt = _kept_and_counted(wijk_id, kept, direct)
            rows = (await self.session.execute(stmt)).all()
        else:  # whole months only: the kept counts alone, in a statement built once
            params = {"wijk_id": wijk_id, "first": kept[0].label, "last": kept[-1].label}
            rows = (await self.session.execute(_KEPT_ONLY, params)).all()
        found: dict[str, list[CountRow]] = {table.name: [] for table, _, _ in SERIES}
        for series, period, key, n in rows:
            found[series].append(CountRow(period, key, int(n)))
        return Counts(
            signals=found[SIGNAL.name],
            contact_moments=found[MOMENT.name],
            interventions=found[INTERVENTION.name],
            referrals=found[REFERRAL.name],
        )

    async def timeliness(self, wijk_id: UUID, start: datetime, end: datetime, today: date) -> Timeliness:
        """Count, median and mean of the seconds from creation to first action of the wijk's signals
        created in [start, end) and acted on, and the wijk's referrals whose follow-up is overdue
        today: one statement."""
        if on_postgresql(self.session):
            # The same figures in one sort of the waits as intervals: percentile_cont(0.5) is the middle
            # wait, or the mean of the two middle ones (half the time of collecting them in an array).
            params = {"wijk_id": wijk_id, "start": start, "end": end, "today": today}
            row = (await self.session.execute(_TIMELINESS_POSTGRESQL, params)).one()
        else:
            s = SIGNAL.c
            acted_on = (s.wijk_id == wijk_id, s.created_at >= start, s.created_at < end, s.first_action_at.is_not(None))
            row = (await self.session.execute(_first_action_window(acted_on, _overdue(wijk_id, today)))).one()
        count, average, median, overdue = row
        return Timeliness(
            Durations(int(count), float(median) if median is not None else None, float(average) if average is not None else None),
            int(overdue),
        )


def _overdue(wijk_id: UUID, today: date) -> Any:
    """The wijk's referrals not withdrawn whose follow-up day has passed without one (a scalar subquery)."""
    r = REFERRAL.c
    return (
        select(func.count())
        .where(
            r.wijk_id == wijk_id,
            r.follow_up_on < today,
            r.followed_up_on.is_(None),
            r.status != ReferralStatus.ingetrokken.value,
        )
        .scalar_subquery()
    )


def _first_action_window(acted_on: tuple[Any, ...], overdue: Any) -> Any:
    """Count, mean and median (the middle row, or the mean of the two middle rows) by window functions,
    and `overdue` alongside."""
    s = SIGNAL.c
    waited = select(seconds_between(s.first_action_at, s.created_at).label("secs")).where(*acted_on).subquery()
    ranked = select(
        waited.c.secs,
        func.row_number().over(order_by=waited.c.secs).label("rn"),
        func.count().over().label("n"),
    ).subquery()
    # The middle row, or the mean of the two middle rows: (n+1)/2 and (n+2)/2 in integer division.
    middle = select(func.avg(ranked.c.secs)).where(
        ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    ).scalar_subquery()
    return select(func.count(), func.avg(waited.c.secs), middle, overdue).select_from(waited)


_TIMELINESS_POSTGRESQL = text("""
SELECT count(*),
       avg(EXTRACT(EPOCH FROM (first_action_at - created_at))),
       EXTRACT(EPOCH FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY first_action_at - created_at)),
       (SELECT count(*) FROM referral
        WHERE wijk_id = :wijk_id AND follow_up_on < :today AND followed_up_on IS NULL AND status != :withdrawn)
FROM signal
WHERE wijk_id = :wijk_id AND created_at >= :start AND created_at < :end AND first_action_at IS NOT NULL
""").bindparams(
    bindparam("wijk_id", type_=Uuid()),
    bindparam("start", type_=UTCDateTime()),
    bindparam("end", type_=UTCDateTime()),
    bindparam("today", type_=Date()),
    bindparam("withdrawn", ReferralStatus.ingetrokken.value, type_=String()),
)
