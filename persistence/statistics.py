"""The statistics of a wijk, counted by the database: GROUP BY per local month and group, a window
function for the median response time, one COUNT for overdue follow-ups.

A month is a CASE over the instant, built from the month boundaries the domain computed in local
time, so months are Amsterdam months on SQLite (which knows no time zones) and PostgreSQL alike. The
label is computed in a subquery and grouped by in the outer query: PostgreSQL would not recognise
two copies of a CASE with bound parameters as the same expression.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Float, Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domain.referrals import ReferralStatus
from domain.statistics import CountRow, Counts, Durations, Month
from persistence.tables_casework import InterventionRow, SignalRow
from persistence.tables_referrals import ContactMomentRow, ReferralRow

SIGNAL: Table = SignalRow.__table__  # type: ignore[assignment]
INTERVENTION: Table = InterventionRow.__table__  # type: ignore[assignment]
MOMENT: Table = ContactMomentRow.__table__  # type: ignore[assignment]
REFERRAL: Table = ReferralRow.__table__  # type: ignore[assignment]


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


def _month(column: Any, months: tuple[Month, ...]) -> Any:
    return case(*[(column < m.end, m.label) for m in months])


class SqlStatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _grouped(self, table: Table, instant: str, group: str, wijk_id: UUID, months: tuple[Month, ...]) -> list[CountRow]:
        c = table.c
        labelled = (
            select(_month(c[instant], months).label("period"), c[group].label("key"))
            .where(c.wijk_id == wijk_id, c[instant] >= months[0].start, c[instant] < months[-1].end)
            .subquery()
        )
        stmt = select(labelled.c.period, labelled.c.key, func.count().label("n")).group_by(
            labelled.c.period, labelled.c.key
        )
        return [CountRow(period, key, int(n)) for period, key, n in (await self.session.execute(stmt)).all()]

    async def counts(self, wijk_id: UUID, months: tuple[Month, ...]) -> Counts:
        return Counts(
            signals=await self._grouped(SIGNAL, "created_at", "category", wijk_id, months),
            contact_moments=await self._grouped(MOMENT, "occurred_at", "kind", wijk_id, months),
            interventions=await self._grouped(INTERVENTION, "created_at", "phase", wijk_id, months),
            referrals=await self._grouped(REFERRAL, "created_at", "status", wijk_id, months),
        )

    async def first_action(self, wijk_id: UUID, start: datetime, end: datetime) -> Durations:
        """Count, median and mean of the seconds from creation to first action of the wijk's signals
        created in [start, end) and acted on."""
        s = SIGNAL.c
        waited = (
            select(seconds_between(s.first_action_at, s.created_at).label("secs"))
            .where(s.wijk_id == wijk_id, s.created_at >= start, s.created_at < end, s.first_action_at.is_not(None))
            .subquery()
        )
        ranked = select(
            waited.c.secs,
            func.row_number().over(order_by=waited.c.secs).label("rn"),
            func.count().over().label("n"),
        ).subquery()
        # The middle row, or the mean of the two middle rows: (n+1)/2 and (n+2)/2 in integer division.
        middle = select(func.avg(ranked.c.secs)).where(
            ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
        ).scalar_subquery()
        stmt = select(func.count(), func.avg(waited.c.secs), middle).select_from(waited)
        count, average, median = (await self.session.execute(stmt)).one()
        return Durations(int(count), float(median) if median is not None else None, float(average) if average is not None else None)

    async def overdue_follow_ups(self, wijk_id: UUID, today: date) -> int:
        r = REFERRAL.c
        stmt = select(func.count()).where(
            r.wijk_id == wijk_id,
            r.follow_up_on < today,
            r.followed_up_on.is_(None),
            r.status != ReferralStatus.ingetrokken.value,
        )
        return int((await self.session.execute(stmt)).scalar_one())
