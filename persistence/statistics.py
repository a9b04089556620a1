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

The same statement reads the wijk's statistics version (statistics_version, migration 0010: raised by
every write of the four tables), so the figures and their version come from one snapshot; `version`
reads it alone, for a worker that kept the figures to check they are still current.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    case,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domain.referrals import ReferralStatus
from domain.statistics import CountRow, Counts, Durations, Figures, Month, Timeliness
from persistence.db import DriverStatement, on_postgresql
from persistence.tables_casework import InterventionRow, SignalRow
from persistence.tables_referrals import ContactMomentRow, ReferralRow
from persistence.tables_statistics import StatisticsMonthCountRow, StatisticsVersionRow
from persistence.types import UTCDateTime

SIGNAL: Table = SignalRow.__table__  # type: ignore[assignment]
INTERVENTION: Table = InterventionRow.__table__  # type: ignore[assignment]
MOMENT: Table = ContactMomentRow.__table__  # type: ignore[assignment]
REFERRAL: Table = ReferralRow.__table__  # type: ignore[assignment]
MONTH_COUNT: Table = StatisticsMonthCountRow.__table__  # type: ignore[assignment]
VERSION: Table = StatisticsVersionRow.__table__  # type: ignore[assignment]

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


def _kept_and_counted(wijk_id: Any, kept: tuple[Any, Any] | None, direct: list[Month]) -> Any:
    """The kept counts of the months `kept` spans (first and last label, or bound parameters for them)
    and the rows of `direct` counted, summed per series, month and group."""
    parts: list[Any] = []
    if kept:
        k = MONTH_COUNT.c
        first, last = kept
        parts.append(
            select(k.series, k.month.label("period"), k.group_key.label("key"), k.n).where(
                k.wijk_id == wijk_id, k.month >= first, k.month <= last
            )
        )
    if direct:
        parts += [_counted_rows(table, instant, group, wijk_id, direct) for table, instant, group in SERIES]
    every = union_all(*parts).subquery()
    total = func.sum(every.c.n)
    return (
        select(every.c.series, every.c.period, every.c.key, total.label("n"))
        .group_by(every.c.series, every.c.period, every.c.key)
        .having(total > 0)
    )


class SqlStatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def version(self, wijk_id: UUID) -> int:
        """The wijk's statistics version now: the sum of its statistics_version rows (0 before any write)."""
        return int((await _VERSION.rows(self.session, {"wijk_id": wijk_id}))[0]["version"])

    async def figures(self, wijk_id: UUID, months: tuple[Month, ...], today: date) -> Figures:
        """The counts of `months` per series, month and group, the time to first action of the wijk's
        signals created in them and acted on, its referrals whose follow-up is overdue today, and the
        wijk's statistics version: one statement, the counts' rows followed by one row of timeliness
        and version (series NULL)."""
        postgresql = on_postgresql(self.session)
        stmt, params = _figures(wijk_id, months, today, postgresql)
        rows: Sequence[Any]
        if postgresql and stmt is _WHOLE_MONTHS[True]:  # a period of whole months: straight to asyncpg
            rows = await _WHOLE_MONTHS_ON_DRIVER.fetch(self.session, params)
        else:
            rows = (await self.session.execute(stmt, params)).all()
        found: dict[str, list[CountRow]] = {table.name: [] for table, _, _ in SERIES}
        timely, version = Timeliness(Durations(0, None, None), 0), 0
        for series, period, key, n, average, median, overdue, stamp in rows:
            if series is None:
                durations = Durations(int(n), float(median) if median is not None else None, float(average) if average is not None else None)
                timely, version = Timeliness(durations, int(overdue)), int(stamp)
            else:
                found[series].append(CountRow(period, key, int(n)))
        counts = Counts(
            signals=found[SIGNAL.name],
            contact_moments=found[MOMENT.name],
            interventions=found[INTERVENTION.name],
            referrals=found[REFERRAL.name],
        )
        return Figures(counts, timely, version)


def _figures(wijk_id: UUID, months: tuple[Month, ...], today: date, postgresql: bool) -> tuple[Any, dict[str, Any]]:
    """The statement and its parameters: built once for periods of whole months (the kept counts alone),
    per request when months are counted from the rows (their month boundaries are part of it)."""
    params = {"wijk_id": wijk_id, "start": months[0].start, "end": months[-1].end, "today": today}
    kept = kept_months(months)
    direct = [m for m in months if m not in kept]
    if not direct:
        return _WHOLE_MONTHS[postgresql], params | {"first": kept[0].label, "last": kept[-1].label}
    spanned = (kept[0].label, kept[-1].label) if kept else None
    return _with_timeliness(_kept_and_counted(wijk_id, spanned, direct), postgresql), params


def _with_timeliness(counts: Any, postgresql: bool) -> Any:
    """`counts` (series, month, group, n) followed by the one row of timeliness, for the bound wijk_id,
    start, end and today."""
    s, r = SIGNAL.c, REFERRAL.c
    wijk_id = bindparam("wijk_id", type_=Uuid())
    acted_on = (
        s.wijk_id == wijk_id,
        s.created_at >= bindparam("start", type_=UTCDateTime()),
        s.created_at < bindparam("end", type_=UTCDateTime()),
        s.first_action_at.is_not(None),
    )
    overdue = (
        select(func.count())
        .where(
            r.wijk_id == wijk_id,
            r.follow_up_on < bindparam("today", type_=Date()),
            r.followed_up_on.is_(None),
            r.status != ReferralStatus.ingetrokken.value,
        )
        .scalar_subquery()
    )
    timeliness = (_first_action_postgresql if postgresql else _first_action_window)(acted_on, overdue)
    version = _version_of(wijk_id).scalar_subquery()
    counted = counts.subquery()
    nothing = null().cast(Float)
    c = counted.c
    return union_all(
        select(c.series, c.period, c.key, c.n, nothing, nothing, null().cast(Integer), null().cast(BigInteger)),
        timeliness.add_columns(version),
    )


def _version_of(wijk_id: Any) -> Any:
    total = func.coalesce(func.sum(VERSION.c.version), 0).cast(BigInteger)
    return select(total.label("version")).where(VERSION.c.wijk_id == wijk_id)


def _whole_months(postgresql: bool) -> Any:
    """The statement for periods of whole months: the kept counts alone, everything bound."""
    spanned = (bindparam("first", type_=String()), bindparam("last", type_=String()))
    return _with_timeliness(_kept_and_counted(bindparam("wijk_id", type_=Uuid()), spanned, []), postgresql)


def _first_action_postgresql(acted_on: tuple[Any, ...], overdue: Any) -> Any:
    """Count, mean and median in one sort of the waits as intervals: percentile_cont(0.5) is the middle
    wait, or the mean of the two middle ones (half the time of collecting them in an array); the mean
    of the intervals, its seconds taken once, is cheaper than the mean of every wait's seconds."""
    s = SIGNAL.c
    wait = s.first_action_at - s.created_at
    return select(
        null().cast(String),
        null().cast(String),
        null().cast(String),
        func.count(),
        extract("epoch", func.avg(wait)).cast(Float),
        extract("epoch", func.percentile_cont(0.5).within_group(wait)).cast(Float),
        overdue,
    ).where(*acted_on)


def _first_action_window(acted_on: tuple[Any, ...], overdue: Any) -> Any:
    """Count, mean and median (the middle row, or the mean of the two middle rows) by window functions,
    and `overdue` alongside (SQLite)."""
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
    return select(
        null().cast(String), null().cast(String), null().cast(String), func.count(), func.avg(waited.c.secs), middle, overdue
    ).select_from(waited)


# Built once per database: composing and keying the statement per request cost about as much as a round trip.
_WHOLE_MONTHS = {postgresql: _whole_months(postgresql) for postgresql in (False, True)}
_WHOLE_MONTHS_ON_DRIVER = DriverStatement.of(_WHOLE_MONTHS[True])
_VERSION = DriverStatement.of(_version_of(bindparam("wijk_id", type_=Uuid())))
