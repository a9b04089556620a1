"""A wijk's statistics: exact counts per local month and group from the database, the median and mean
time to first action, overdue follow-ups, suppression of small counts over HTTP, a purpose-built
response without personal fields, who may read them, and a statement count that does not grow with
the number of rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from domain import accounts, contact_moments, interventions, needs, referrals, residents, signals, statistics
from domain.audit import Access
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.contact_moments import ContactKind, NewContactMoment
from domain.identity import OrganisationKind, Role
from domain.interventions import InterventionKind, NewIntervention, PhaseMove
from domain.needs import NewNeed
from domain.offers import NewOffer, create_offer
from domain.referrals import NewReferral
from domain.residents import NewResident
from domain.scope import load_scope
from domain.signals import NewSignal, SignalCategory, SignalMove, SignalSource, SignalStatus
from tests.factories import Neighbourhoods, World, admin_scope, build_neighbourhoods, today
from tests.integration.test_statement_counts import counting

API = "/api/v1"
MARCH_DAY = datetime(2026, 3, 10, 9, tzinfo=UTC)
# 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam: an April signal.
APRIL_BY_LOCAL_TIME = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
KEYS = {
    "wijkId", "from", "to", "minimumCount", "signals", "contactMoments", "interventions", "referrals",
    "signalFirstAction", "overdueFollowUps",
}


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def access_of(world: World, role: Role) -> Access:
    return Access(world.run(lambda uow: load_scope(uow, world.principals[role], today())), "test")


def seed(world: World, hoods: Neighbourhoods) -> None:
    """March: 6 burenruzie signals acted on after 1, 2, 3, 4, 10 and 12 hours, 2 vervuiling (not acted on);
    one jongerenoverlast signal in April by local time; 5 street talks and a home visit; 2 interventions
    (one moved to activeren); 3 referrals proposed 30 days ago with their nazorg overdue."""
    access = access_of(world, Role.wijkagent)
    scope = access.scope
    wijk, koppel = hoods.wijk_a.id, hoods.koppel_a.id

    async def work(uow):  # type: ignore[no-untyped-def]
        for hours in (1, 2, 3, 4, 10, 12):
            created = await signals.create_signal(
                uow, scope, NewSignal(wijk, SignalCategory.burenruzie, "Ruzie", source=SignalSource.bewoner), MARCH_DAY
            )
            await signals.change_signal_status(
                uow, scope, created.id, 1, SignalMove(SignalStatus.in_behandeling), MARCH_DAY + timedelta(hours=hours)
            )
        for _ in range(2):
            await signals.create_signal(
                uow, scope, NewSignal(wijk, SignalCategory.vervuiling, "Afval", source=SignalSource.koppel), MARCH_DAY
            )
        await signals.create_signal(
            uow, scope, NewSignal(wijk, SignalCategory.jongerenoverlast, "Laat", source=SignalSource.buurtapp),
            APRIL_BY_LOCAL_TIME,
        )
        for n in range(5):
            await contact_moments.record_contact_moment(
                uow, access, NewContactMoment(wijk, koppel, ContactKind.straatgesprek, MARCH_DAY + timedelta(days=n), "Praatje"),
                MARCH_DAY + timedelta(days=n),
            )
        await contact_moments.record_contact_moment(
            uow, access, NewContactMoment(wijk, koppel, ContactKind.huisbezoek, MARCH_DAY, "Bezoek"), MARCH_DAY
        )
        first = await interventions.create_intervention(
            uow, scope, NewIntervention(wijk, koppel, InterventionKind.bemiddeling, "Bemiddeling"), MARCH_DAY
        )
        await interventions.move_intervention(uow, scope, first.id, 1, PhaseMove(interventions.Phase.activeren), MARCH_DAY)
        await interventions.create_intervention(
            uow, scope, NewIntervention(wijk, koppel, InterventionKind.buurtactiviteit, "Buurtfeest"), MARCH_DAY
        )
        offer = await create_offer(
            uow, admin_scope(world),
            NewOffer(world.organisations["instantie"].id, "Schuldhulp", "Hulp", frozenset({NeedCategory.schulden}),
                     "bel", wijk_ids=frozenset({wijk})),
            MARCH_DAY,
        )
        resident = await residents.register_resident(uow, access, NewResident(wijk, "Anna"), MARCH_DAY)
        long_ago = datetime.now(UTC) - timedelta(days=30)
        for n in range(3):
            need = await needs.record_need(
                uow, access, NewNeed(wijk, koppel, NeedCategory.schulden, f"Vraag {n}", Priority.normaal, resident.id),
                long_ago,
            )
            await referrals.propose_referral(uow, access, NewReferral(need.id, offer.id), long_ago)

    world.run(work)


def test_the_database_counts_per_local_month_and_group(world: World, hoods: Neighbourhoods) -> None:
    seed(world, hoods)
    scope = access_of(world, Role.gemeente).scope

    async def work(uow):  # type: ignore[no-untyped-def]
        return await statistics.wijk_statistics(
            uow, scope, hoods.wijk_a.id, date(2026, 3, 1), date(2026, 4, 30), 1, datetime.now(UTC)
        )

    result = world.run(work)
    assert [(c.period, c.key, c.count) for c in result.signals] == [
        ("2026-03", "burenruzie", 6), ("2026-03", "vervuiling", 2), ("2026-04", "jongerenoverlast", 1),
    ]
    assert [(c.period, c.key, c.count) for c in result.contact_moments] == [
        ("2026-03", "huisbezoek", 1), ("2026-03", "straatgesprek", 5),
    ]
    assert [(c.period, c.key, c.count) for c in result.interventions] == [
        ("2026-03", "activeren", 1), ("2026-03", "kwartier_maken", 1),
    ]
    assert result.referrals == (), "the referrals were proposed outside the period"
    assert (result.first_action.signals, result.first_action.median_hours, result.first_action.average_hours) == (6, 3.5, 5.3)
    assert result.overdue_follow_ups == 3

    async def recent(uow):  # type: ignore[no-untyped-def]
        return await statistics.wijk_statistics(uow, scope, hoods.wijk_a.id, None, None, 1, datetime.now(UTC))

    latest = world.run(recent)
    assert [(c.key, c.count) for c in latest.referrals] == [("voorgesteld", 3)]


def test_over_http_small_counts_are_suppressed_and_nothing_personal_is_shown(world: World, hoods: Neighbourhoods) -> None:
    seed(world, hoods)
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics?from=2026-03-01&to=2026-04-30"
    response = world.client.get(url, headers=world.headers(Role.gemeente))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == KEYS, "a purpose-built model of counts"
    assert (body["from"], body["to"], body["minimumCount"]) == ("2026-03-01", "2026-04-30", 5)
    assert body["signals"] == [
        {"period": "2026-03", "category": "burenruzie", "count": 6},
        {"period": "2026-03", "category": "vervuiling", "count": "<5"},
        {"period": "2026-04", "category": "jongerenoverlast", "count": "<5"},
    ]
    assert body["contactMoments"] == [
        {"period": "2026-03", "kind": "huisbezoek", "count": "<5"},
        {"period": "2026-03", "kind": "straatgesprek", "count": 5},
    ]
    assert {c["count"] for c in body["interventions"]} == {"<5"}
    assert body["signalFirstAction"] == {"signals": 6, "medianHours": 3.5, "averageHours": 5.3}
    assert body["overdueFollowUps"] == "<5"
    for series in ("signals", "contactMoments", "interventions", "referrals"):
        for cell in body[series]:
            assert set(cell) - {"category", "kind", "phase", "status"} == {"period", "count"}
    assert "Ruzie" not in response.text and "Anna" not in response.text
    assert world.client.get(url, headers=world.headers(Role.opbouwwerker)).json() == body


def test_who_reads_statistics(world: World, hoods: Neighbourhoods) -> None:
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics"
    for role in (Role.wijkagent, Role.opbouwwerker, Role.wijkbeheerder, Role.gemeente):
        assert world.client.get(url, headers=world.headers(role)).status_code == 200, role
    for role in (Role.admin, Role.agency_worker, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert world.client.get(url, headers=world.headers(role)).status_code == 403, role
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(url, headers=agent_b).status_code == 404
    assert world.client.get(f"{API}/wijken/{hoods.wijk_b.id}/statistics", headers=agent_b).status_code == 200
    elsewhere = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Gemeente Elders", OrganisationKind.gemeente, "GM0363"), datetime.now(UTC)
        )
    )
    world.organisations["elders"] = elsewhere
    outsider = world.headers_for(world.add_user(Role.gemeente, organisation="elders"))
    assert world.client.get(url, headers=outsider).status_code == 404, "another municipality's wijk"


def test_a_period_is_checked(world: World, hoods: Neighbourhoods) -> None:
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics"
    gemeente = world.headers(Role.gemeente)
    backwards = world.client.get(f"{url}?from=2026-05-01&to=2026-04-01", headers=gemeente)
    assert backwards.status_code == 400 and backwards.json()["invalidParams"][0]["name"] == "to"
    assert world.client.get(f"{url}?from=2020-01-01&to=2026-04-01", headers=gemeente).status_code == 400
    default = world.client.get(url, headers=gemeente).json()
    assert default["to"] == today().isoformat() and default["from"].endswith("-01")


def test_the_statement_count_does_not_grow_with_the_rows(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    url = f"{API}/wijken/{hoods.wijk_a.id}/statistics?from=2026-03-01&to=2026-04-30"
    headers = world.headers(Role.gemeente)

    def statements() -> int:
        world.client.get(url, headers=headers)
        with counting(app) as seen:
            assert world.client.get(url, headers=headers).status_code == 200
        return len([s for s in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"))])

    empty = statements()
    seed(world, hoods)
    assert statements() == empty
