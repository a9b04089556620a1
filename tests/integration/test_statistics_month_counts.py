"""The wijk statistics' monthly counts (migration 0009) against the rows they count.

After a random sequence of writes — through the use cases (signals recorded, corrected to another
category, moved along their statuses; contact moments recorded and corrected in kind and time;
interventions created and moved between phases; referrals proposed and withdrawn) and straight in SQL
(deletes, a move to another wijk, multi-row updates), with instants around local month boundaries and
summer-time changes — the kept counts equal a recount of the rows in Python (months by zoneinfo),
the repository's answer for whole, clipped and one-day periods equals the recount of that period, and
the migration's backfill rebuilds the same counts, and a wijk whose statistics changed has a new
version (migration 0010) — the promise a kept answer (api.statistics_cache) relies on. The month the triggers compute equals zoneinfo's
on either side of every month boundary from 1996 to 2040, and a request costs the same statements for
a period of whole months as for one clipped at both ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, delete, select, text, update

from domain import contact_moments, interventions, needs, referrals, residents, signals
from domain.audit import Access
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.contact_moments import ContactKind, NewContactMoment
from domain.dates import LOCAL_ZONE
from domain.identity import Role
from domain.interventions import InterventionKind, NewIntervention, Phase, PhaseMove
from domain.needs import NewNeed
from domain.offers import NewOffer, create_offer
from domain.referrals import NewReferral, ReferralMove, ReferralStatus
from domain.residents import NewResident
from domain.scope import load_scope
from domain.signals import NewSignal, SignalCategory, SignalMove, SignalSource, SignalStatus
from domain.statistics import Month, months_of
from persistence import migrate
from persistence.statistics import MOMENT, REFERRAL, SERIES, SIGNAL
from persistence.tables_casework import SignalStatusChangeRow
from persistence.tables_integrations import SignalChangeRow
from persistence.tables_statistics import StatisticsMonthCountRow
from persistence.types import UTCDateTime
from tests.factories import Neighbourhoods, World, admin_scope, build_neighbourhoods, today
from tests.integration.test_statement_counts import statements_for

API = "/api/v1"
MONTH_COUNT = StatisticsMonthCountRow.__table__
SIGNAL_HISTORY = SignalStatusChangeRow.__table__
SIGNAL_CHANGE = SignalChangeRow.__table__


def migration_0009() -> Any:
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_revision("0009").module


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC)


# Instants on both sides of local month boundaries (summer and winter time) and of the switches.
BOUNDARIES = [local_midnight(date(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1)) for m in range(3, 23)]
SWITCHES = [datetime(2025, 10, 26, 1, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC)]
OFFSETS = [timedelta(microseconds=-1), timedelta(0), timedelta(hours=-1), timedelta(hours=-2), timedelta(hours=1),
           timedelta(hours=-1, minutes=-30), timedelta(days=9, hours=5)]
INSTANTS = st.builds(lambda b, o: b + o, st.sampled_from(BOUNDARIES + SWITCHES), st.sampled_from(OFFSETS))


@dataclass
class Made:
    signals: list[tuple[UUID, int]] = field(default_factory=list)  # (id, version)
    moments: list[tuple[UUID, int]] = field(default_factory=list)
    interventions: list[tuple[UUID, int]] = field(default_factory=list)
    referrals: list[tuple[UUID, int]] = field(default_factory=list)


def recount(rows: dict[str, list[tuple[UUID, datetime, str]]]) -> Counter[tuple[str, UUID, str, str]]:
    """(series, wijk, local month, group) → rows, straight from the rows."""
    found: Counter[tuple[str, UUID, str, str]] = Counter()
    for series, placed in rows.items():
        for wijk_id, instant, key in placed:
            found[(series, wijk_id, instant.astimezone(LOCAL_ZONE).strftime("%Y-%m"), key)] += 1
    return found


async def raw_rows(uow: Any) -> dict[str, list[tuple[UUID, datetime, str]]]:
    found = {}
    for table, instant, group in SERIES:
        c = table.c
        found[table.name] = [tuple(r) for r in (await uow.session.execute(select(c.wijk_id, c[instant], c[group]))).all()]
    return found


async def kept(uow: Any) -> Counter[tuple[str, UUID, str, str]]:
    """The kept counts, slots summed; a group whose parts sum to zero is no group."""
    k = MONTH_COUNT.c
    rows = (await uow.session.execute(select(k.series, k.wijk_id, k.month, k.group_key, k.n))).all()
    summed: Counter[tuple[str, UUID, str, str]] = Counter()
    for series, wijk_id, month, key, n in rows:
        summed[(series, wijk_id, month, key)] += n
    return Counter({key: n for key, n in summed.items() if n != 0})


def recount_period(rows: dict[str, list[tuple[UUID, datetime, str]]], wijk_id: UUID, months: tuple[Month, ...]) -> dict[str, list[tuple[str, str, int]]]:
    found: dict[str, list[tuple[str, str, int]]] = {}
    for series, placed in rows.items():
        counted: Counter[tuple[str, str]] = Counter()
        for wijk, instant, key in placed:
            month = next((m for m in months if m.start <= instant < m.end), None)
            if wijk == wijk_id and month is not None:
                counted[(month.label, key)] += 1
        found[series] = sorted((period, key, n) for (period, key), n in counted.items())
    return found


PERIODS = [
    (date(2025, 3, 1), date(2026, 10, 31)),  # whole months only
    (date(2025, 2, 17), date(2026, 9, 30)),  # clipped at the start
    (date(2025, 4, 1), date(2026, 11, 3)),  # clipped at the end
    (date(2025, 9, 30), date(2025, 11, 1)),  # clipped at both ends, by one day
    (date(2026, 3, 29), date(2026, 3, 31)),  # within one month
    (date(2026, 4, 1), date(2026, 4, 1)),  # one day
]


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def test_random_writes_keep_the_counts_equal_to_a_recount(world: World, hoods: Neighbourhoods) -> None:
    access = Access(world.run(lambda uow: load_scope(uow, world.principals[Role.wijkagent], today())), "test")
    scope = access.scope
    wijk, other, koppel = hoods.wijk_a.id, hoods.wijk_b.id, hoods.koppel_a.id

    async def setup(uow):  # type: ignore[no-untyped-def]
        offer = await create_offer(
            uow, admin_scope(world),
            NewOffer(world.organisations["instantie"].id, "Schuldhulp", "Hulp", frozenset({NeedCategory.schulden}),
                     "bel", wijk_ids=frozenset({wijk})),
            datetime.now(UTC),
        )
        resident = await residents.register_resident(uow, access, NewResident(wijk, "Anna"), datetime.now(UTC))
        return offer.id, resident.id

    offer_id, resident_id = world.run(setup)
    made = Made()

    async def sql(uow, statement: Any) -> None:  # type: ignore[no-untyped-def]
        await uow.session.execute(statement)
        await uow.commit()

    def step(data: st.DataObject) -> None:
        # Every choice is drawn first, independent of what earlier examples left behind.
        kind = data.draw(st.sampled_from([
            "signal", "signal", "recategorise", "status", "moment", "moment", "correct_moment", "delete_moment",
            "intervention", "phase", "referral", "withdraw", "move_signal", "retype_moments", "set_status",
            "delete_signal", "nazorg",
        ]))
        at = data.draw(INSTANTS)
        pick = data.draw(st.integers(0, 10_000))
        category = data.draw(st.sampled_from(list(SignalCategory)))
        contact_kind, was_kind = data.draw(st.sampled_from(list(ContactKind))), data.draw(st.sampled_from(list(ContactKind)))
        move_too = data.draw(st.booleans())
        phase = data.draw(st.sampled_from([Phase.kwartier_maken, Phase.activeren, Phase.toeleiden, Phase.agenderen]))
        status = data.draw(st.sampled_from([s for s in ReferralStatus if s is not ReferralStatus.aangemeld]))
        to_wijk = data.draw(st.sampled_from([wijk, other]))

        async def work(uow):  # type: ignore[no-untyped-def]
            if kind == "signal":
                created = await signals.create_signal(
                    uow, scope, NewSignal(wijk, category, "Melding", source=SignalSource.bewoner), at
                )
                made.signals.append((created.id, created.version))
            elif kind == "recategorise" and made.signals:
                index = pick % len(made.signals)
                signal_id, version = made.signals[index]
                current = await uow.signals.get(signal_id)
                if current is None or current.closed or current.wijk_id != wijk:
                    return
                changed = await signals.update_signal(
                    uow, scope, signal_id, current.version,
                    {"category": category}, at,
                )
                made.signals[index] = (signal_id, changed.version)
            elif kind == "status" and made.signals:
                signal_id, _ = made.signals[pick % len(made.signals)]
                current = await uow.signals.get(signal_id)
                if current is None or current.status is not SignalStatus.nieuw or current.wijk_id != wijk:
                    return
                await signals.change_signal_status(
                    uow, scope, signal_id, current.version, SignalMove(SignalStatus.in_behandeling), at + timedelta(hours=3)
                )
            elif kind == "moment":
                moment = await contact_moments.record_contact_moment(
                    uow, access,
                    NewContactMoment(wijk, koppel, contact_kind, at, "Praatje"),
                    datetime.now(UTC),
                )
                made.moments.append((moment.id, moment.version))
            elif kind == "correct_moment" and made.moments:
                moment_id, _ = made.moments[pick % len(made.moments)]
                current = await uow.contact_moments.get(moment_id)
                if current is None or current.wijk_id != wijk:
                    return
                changes: dict[str, Any] = {"kind": contact_kind}
                if move_too:
                    changes["occurred_at"] = at
                await contact_moments.update_contact_moment(
                    uow, access, moment_id, current.version, changes, datetime.now(UTC)
                )
            elif kind == "delete_moment" and made.moments:
                moment_id, _ = made.moments.pop(pick % len(made.moments))
                await sql(uow, delete(MOMENT).where(MOMENT.c.id == moment_id))
            elif kind == "retype_moments":
                m = MOMENT.c
                await sql(uow, update(MOMENT).where(m.wijk_id == wijk, m.kind == was_kind.value).values(kind=contact_kind.value))
            elif kind == "intervention":
                created = await interventions.create_intervention(
                    uow, scope, NewIntervention(wijk, koppel, InterventionKind.bemiddeling, "Bemiddeling"), at
                )
                made.interventions.append((created.id, created.version))
            elif kind == "phase" and made.interventions:
                intervention_id, _ = made.interventions[pick % len(made.interventions)]
                current = await uow.interventions.get(intervention_id)
                target = phase
                if current is None or current.phase == target:
                    return
                await interventions.move_intervention(
                    uow, scope, intervention_id, current.version,
                    PhaseMove(target, reason="Opnieuw bekeken", note="Naar het buurthuis"), at,
                )
            elif kind == "referral":
                need = await needs.record_need(
                    uow, access, NewNeed(wijk, koppel, NeedCategory.schulden, "Vraag", Priority.normaal, resident_id), at
                )
                proposed = await referrals.propose_referral(uow, access, NewReferral(need.id, offer_id), at)
                made.referrals.append((proposed.id, proposed.version))
            elif kind == "withdraw" and made.referrals:
                referral_id, _ = made.referrals[pick % len(made.referrals)]
                current = await uow.referrals.get(referral_id)
                if current is None or current.status is not ReferralStatus.voorgesteld:
                    return
                await referrals.move_referral(
                    uow, access, referral_id, current.version,
                    ReferralMove(ReferralStatus.ingetrokken, reason="De bewoner ziet ervan af"), datetime.now(UTC),
                )
            elif kind == "set_status" and made.referrals:
                referral_id, _ = made.referrals[pick % len(made.referrals)]
                await sql(uow, update(REFERRAL).where(REFERRAL.c.id == referral_id).values(status=status.value))
            elif kind == "nazorg" and made.referrals:  # counted by no month, but by the overdue follow-ups
                referral_id, _ = made.referrals[pick % len(made.referrals)]
                planned = {"follow_up_on": at.date(), "followed_up_on": None if move_too else at.date()}
                await sql(uow, update(REFERRAL).where(REFERRAL.c.id == referral_id).values(**planned))
            elif kind == "move_signal" and made.signals:
                signal_id, _ = made.signals[pick % len(made.signals)]
                await sql(uow, update(SIGNAL).where(SIGNAL.c.id == signal_id).values(wijk_id=to_wijk))
            elif kind == "delete_signal" and made.signals:
                signal_id, _ = made.signals.pop(pick % len(made.signals))
                for table in (SIGNAL_HISTORY, SIGNAL_CHANGE):
                    await uow.session.execute(delete(table).where(table.c.signal_id == signal_id))
                await sql(uow, delete(SIGNAL).where(SIGNAL.c.id == signal_id))

        world.run(work)
        versions_hold()

    answered_at: dict[UUID, tuple[int, list[Any]]] = {}  # wijk → its version and figures when last looked at

    def versions_hold() -> None:
        """Each wijk's version moved if its statistics did, since the last write."""

        async def check(uow):  # type: ignore[no-untyped-def]
            for w in (wijk, other):
                figures = [await uow.statistics.figures(w, months_of(first, last), last) for first, last in PERIODS]
                version = await uow.statistics.version(w)
                assert {f.version for f in figures} == {version}, "the figures carry the version they were counted at"
                if w in answered_at and answered_at[w][0] == version:
                    assert answered_at[w][1] == figures, "the statistics changed while the wijk's version stood still"
                answered_at[w] = (version, figures)
            await uow.session.rollback()

        world.run(check)

    def compare() -> None:
        async def check(uow):  # type: ignore[no-untyped-def]
            rows = await raw_rows(uow)
            assert await kept(uow) == recount(rows), "the kept counts drifted from the rows"
            for first, last in PERIODS:
                months = months_of(first, last)
                counted = (await uow.statistics.figures(wijk, months, last)).counts
                expected = recount_period(rows, wijk, months)
                answered = {
                    "signal": counted.signals, "contact_moment": counted.contact_moments,
                    "intervention": counted.interventions, "referral": counted.referrals,
                }
                for series, cells in answered.items():
                    assert sorted((c.period, c.key, c.count) for c in cells) == expected[series], (series, first, last)
            await uow.session.rollback()

        world.run(check)

    @given(data=st.data())
    @settings(max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def writes(data: st.DataObject) -> None:
        for _ in range(data.draw(st.integers(1, 12))):
            step(data)
        compare()

    writes()
    compare()

    async def rebuilt(uow):  # type: ignore[no-untyped-def]
        before = await kept(uow)
        await uow.session.run_sync(lambda session: migration_0009().backfill(session.connection()))
        after = await kept(uow)
        rows = await raw_rows(uow)
        await uow.session.rollback()
        return before, after, recount(rows)

    before, after, expected = world.run(rebuilt)
    assert sum(expected.values()) > 20, "the sequence wrote something to count"
    assert before == after == expected


@pytest.mark.parametrize("year", [1996, 2026, 2039])
def test_the_counted_month_is_the_local_month_at_every_boundary(world: World, backend: str, year: int) -> None:
    module = migration_0009()
    month = module.month_postgresql if backend == "postgresql" else module.month_sqlite
    statement = text(f"SELECT {month(':at')}").bindparams(bindparam("at", type_=UTCDateTime()))  # noqa: S608
    instants = []
    for first in (date(y, m, 1) for y in (year, year + 1) for m in range(1, 13)):
        boundary = local_midnight(first)
        instants += [boundary + timedelta(microseconds=d) for d in (-1, 0)]
        instants += [boundary + timedelta(hours=h) for h in (-2, -1.5, -1, 1)]

    async def labels(uow):  # type: ignore[no-untyped-def]
        return [(await uow.session.execute(statement, {"at": at})).scalar_one() for at in instants]

    assert world.run(labels) == [at.astimezone(LOCAL_ZONE).strftime("%Y-%m") for at in instants]


def test_clipped_periods_cost_the_same_statements_as_whole_months(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics"
    whole = statements_for(world, app, f"{url}?from=2025-11-01&to=2026-10-31", Role.gemeente)
    clipped = statements_for(world, app, f"{url}?from=2025-11-15&to=2026-10-14", Role.gemeente)
    early = statements_for(world, app, f"{url}?from=1994-01-15&to=1996-10-14", Role.gemeente)
    # token check, scope, then the counts (kept and counted from the rows), the first action and the
    # overdue follow-ups in one statement
    assert (whole, clipped, early) == (3, 3, 3)
