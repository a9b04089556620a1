"""The statistics a worker keeps (api.statistics_cache) are served only while they are the answer:
after every kind of write that changes a wijk's statistics — made outside the app, as another worker
or process would — the next request answers what counting now gives, and a kept answer costs the
version read instead of the counting."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.schemas.statistics import WijkStatisticsRead
from domain import contact_moments, interventions, referrals, signals, statistics
from domain.contact_moments import ContactKind, NewContactMoment
from domain.identity import Role
from domain.interventions import Phase, PhaseMove
from domain.signals import SignalMove, SignalStatus
from persistence.statistics import INTERVENTION, REFERRAL, SIGNAL
from tests.api.test_statistics import access_of, seed
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.integration.test_statement_counts import counting

API = "/api/v1"
SPRING = (date(2026, 3, 1), date(2026, 4, 30))


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    hoods = build_neighbourhoods(world)
    seed(world, hoods)
    return hoods


def counted_now(world: World, hoods: Neighbourhoods, period: tuple[date, date] | tuple[None, None]) -> Any:
    """The answer counting gives now, past every kept answer."""
    scope = access_of(world, Role.gemeente).scope

    async def work(uow):  # type: ignore[no-untyped-def]
        found = await statistics.wijk_statistics(uow, scope, hoods.wijk_a.id, *period, 5, datetime.now(UTC))
        return json.loads(WijkStatisticsRead.json_of(found))

    return world.run(work)


def test_every_write_to_the_wijk_is_seen_by_the_next_request(world: World, hoods: Neighbourhoods) -> None:
    access = access_of(world, Role.wijkagent)
    scope, wijk, koppel = access.scope, hoods.wijk_a.id, hoods.koppel_a.id
    gemeente = world.headers(Role.gemeente)
    march = datetime(2026, 3, 12, 10, tzinfo=UTC)

    async def street_talks(uow):  # type: ignore[no-untyped-def]
        for _ in range(5):
            await contact_moments.record_contact_moment(
                uow, access, NewContactMoment(wijk, koppel, ContactKind.huisbezoek, march, "Bezoek"), march
            )

    async def first_of(uow, table: Any, *where: Any) -> Any:  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(table.c.id).where(table.c.wijk_id == wijk, *where).limit(1))).scalar_one()

    async def act_on_a_signal(uow):  # type: ignore[no-untyped-def]
        waiting = await uow.signals.get(await first_of(uow, SIGNAL, SIGNAL.c.status == SignalStatus.nieuw.value))
        await signals.change_signal_status(
            uow, scope, waiting.id, waiting.version, SignalMove(SignalStatus.in_behandeling), march + timedelta(hours=30)
        )

    async def move_an_intervention(uow):  # type: ignore[no-untyped-def]
        found = await uow.interventions.get(await first_of(uow, INTERVENTION, INTERVENTION.c.phase == Phase.kwartier_maken.value))
        await interventions.move_intervention(uow, scope, found.id, found.version, PhaseMove(Phase.activeren), march)

    async def follow_up_a_referral(uow):  # type: ignore[no-untyped-def]
        found = await uow.referrals.get(await first_of(uow, REFERRAL))
        await referrals.update_referral(
            uow, access, found.id, found.version, {"followed_up_on": date.today()}, datetime.now(UTC)
        )

    # (what, the write, the period asked, whether the answer shows it: 3 overdue follow-ups and 2 are both "<5")
    writes: list[tuple[str, Callable[..., Any], tuple[date, date] | tuple[None, None], bool]] = [
        ("contact moments", street_talks, SPRING, True),
        ("a signal's first action", act_on_a_signal, SPRING, True),
        ("an intervention's phase", move_an_intervention, SPRING, True),
        ("a referral's nazorg", follow_up_a_referral, (None, None), False),
    ]
    for what, write, period, visible in writes:
        query = "" if period == (None, None) else f"?from={period[0]}&to={period[1]}"
        url = f"{API}/wijken/{wijk}/statistics{query}"
        first = world.client.get(url, headers=gemeente)
        assert first.status_code == 200, first.text
        assert world.client.get(url, headers=gemeente).content == first.content, "asked again, unchanged"
        before = world.run(lambda uow: uow.statistics.version(wijk))
        world.run(write)
        assert world.run(lambda uow: uow.statistics.version(wijk)) > before, f"{what} raised the wijk's version"
        after = world.client.get(url, headers=gemeente)
        assert after.status_code == 200, after.text
        assert after.json() == counted_now(world, hoods, period), what
        assert (after.json() != first.json()) is visible, f"{what}: the answer shows what changed"


def test_a_kept_answer_costs_the_version_read_instead_of_the_counting(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics?from={SPRING[0]}&to={SPRING[1]}"
    gemeente = world.headers(Role.gemeente)
    world.client.get(f"{API}/wijken/{hoods.wijk_a.id}/statistics", headers=gemeente)  # first-use statements out of the way

    def sent() -> tuple[bytes, list[str]]:
        with counting(app) as statements:
            response = world.client.get(url, headers=gemeente)
        assert response.status_code == 200, response.text
        return response.content, [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]

    counted, first = sent()
    kept, again = sent()
    assert kept == counted
    # the token's account, the scope, then the figures with their version — or the version alone
    assert len(first) == len(again) == 3
    assert "percentile" in first[-1].lower() or "row_number" in first[-1].lower(), "counted"
    assert "statistics_version" in again[-1] and "signal" not in again[-1], "kept: only the version read"
