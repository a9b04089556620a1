"""Casework lists cost the same number of statements for 2 rows as for 20: links and names are read
per page, not per row (see test_statement_counts for how statements are counted). A koppel member's
signal, intervention or agenda list is three statements: the account with its scope facts, the page
(with the recorders' names), and every link of the page's rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

from domain import agenda, goals, interventions, signals
from domain.agenda import Addressee, AddresseeKind, AgendaMove, AgendaStatus, AgendaTheme, NewAgendaItem
from domain.goals import NewGoal, Target
from domain.identity import Role
from domain.interventions import InterventionKind, NewIntervention
from domain.scope import Scope, load_scope
from domain.signals import NewSignal, SignalCategory, SignalSource
from tests.factories import World, admin_scope, build_neighbourhoods, today
from tests.integration.test_statement_counts import counting, statements_for

API = "/api/v1"


def scope_of(world: World, role: Role) -> Scope:
    return world.run(lambda uow: load_scope(uow, world.principals[role], today()))


def test_signal_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI, backend: str) -> None:
    place = build_neighbourhoods(world)
    scope = scope_of(world, Role.wijkagent)

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):
            data = NewSignal(place.wijk_a.id, SignalCategory.vervuiling, f"Zwerfvuil {n}", source=SignalSource.bewoner)
            await signals.create_signal(uow, scope, data, datetime.now(UTC))

    world.run(work)
    # The account with its scope facts, then the page; on SQLite its links follow in a third statement,
    # on PostgreSQL they come with the page (SqlSignalRepository._koppel_page).
    expected = 2 if backend == "postgresql" else 3
    for role in (Role.wijkagent, Role.wijkbeheerder):
        small = statements_for(world, app, f"{API}/signals?limit=2", role)
        large = statements_for(world, app, f"{API}/signals?limit=20", role)
        assert small == large == expected, role


def test_intervention_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    scope = scope_of(world, Role.opbouwwerker)

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):
            data = NewIntervention(place.wijk_a.id, place.koppel_a.id, InterventionKind.buurtactiviteit, f"Activiteit {n}")
            await interventions.create_intervention(uow, scope, data, datetime.now(UTC))

    world.run(work)
    small = statements_for(world, app, f"{API}/interventions?limit=2", Role.opbouwwerker)
    large = statements_for(world, app, f"{API}/interventions?limit=20", Role.opbouwwerker)
    assert small == large == 3


def test_agenda_item_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    scope = scope_of(world, Role.opbouwwerker)

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):
            data = NewAgendaItem(
                place.wijk_a.id, f"Thema {n}", "Te weinig verlichting", AgendaTheme.openbare_ruimte, Addressee(AddresseeKind.gemeente)
            )
            item = await agenda.create_agenda_item(uow, scope, data, datetime.now(UTC))
            await agenda.move_agenda_item(uow, scope, item.id, 1, AgendaMove(AgendaStatus.geagendeerd), datetime.now(UTC))

    world.run(work)
    for role in (Role.opbouwwerker, Role.gemeente):
        small = statements_for(world, app, f"{API}/agenda-items?limit=2", role)
        large = statements_for(world, app, f"{API}/agenda-items?limit=20", role)
        assert small == large <= 5, role


def test_goal_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    partners = frozenset({world.organisations["politie"].id, world.organisations["gemeente"].id})

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):  # three active per year: spread over the years
            data = NewGoal(2000 + n // 3, f"Doel {n:02d}", "meldingen", Target(n, "meldingen"), partners)
            await goals.create_goal(uow, admin_scope(world), place.wijk_a.id, data, datetime.now(UTC))

    world.run(work)
    for role in (Role.opbouwwerker, Role.gemeente):
        small = statements_for(world, app, f"{API}/wijken/{place.wijk_a.id}/goals?limit=2", role)
        large = statements_for(world, app, f"{API}/wijken/{place.wijk_a.id}/goals?limit=20", role)
        assert small == large <= 5, role


def test_a_read_sends_no_transaction_statements_on_postgresql(world: World, app: FastAPI, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite is in the process: BEGIN costs no round trip there")
    place = build_neighbourhoods(world)
    scope = scope_of(world, Role.wijkagent)
    data = NewSignal(place.wijk_a.id, SignalCategory.vervuiling, "Zwerfvuil", source=SignalSource.bewoner)
    world.run(lambda uow: signals.create_signal(uow, scope, data, datetime.now(UTC)))
    headers = world.headers(Role.wijkagent)
    world.client.get(f"{API}/signals?limit=20", headers=headers)
    with counting(app) as statements:
        response = world.client.get(f"{API}/signals?limit=20", headers=headers)
    assert response.status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT"))]
    assert len(statements) == 2  # the account with its scope facts, the page with its links
