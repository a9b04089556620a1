"""Feeds cost the same number of statements for 2 changes as for 20: each page is one statement that
joins the change log to the items (or signals) as they are now (see test_statement_counts for the
counting)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from domain import agenda, signals
from domain.agenda import Addressee, AddresseeKind, AgendaMove, AgendaStatus, AgendaTheme, NewAgendaItem
from domain.identity import Role
from domain.scope import load_scope
from domain.signals import NewSignal, SignalCategory, SignalSource
from tests.factories import World, build_neighbourhoods, today
from tests.integration.test_statement_counts import statements_for

API = "/api/v1"


def test_the_agenda_feed_costs_the_same_for_2_and_20_changes(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    scope = world.run(lambda uow: load_scope(uow, world.principals[Role.wijkagent], today()))

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):
            data = NewAgendaItem(place.wijk_a.id, f"Thema {n}", "Overlast", AgendaTheme.veiligheid, Addressee(AddresseeKind.politie))
            item = await agenda.create_agenda_item(uow, scope, data, datetime.now(UTC))
            await agenda.move_agenda_item(uow, scope, item.id, 1, AgendaMove(AgendaStatus.geagendeerd), datetime.now(UTC))

    world.run(work)
    small = statements_for(world, app, f"{API}/feeds/agenda-items?limit=2", Role.police_system)
    large = statements_for(world, app, f"{API}/feeds/agenda-items?limit=20", Role.police_system)
    assert small == large <= 2


def test_the_signal_feed_costs_the_same_for_2_and_20_changes(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    # the wijkbeheerder works for the corporation: its signals are the corporation's, in its feed
    scope = world.run(lambda uow: load_scope(uow, world.principals[Role.wijkbeheerder], today()))

    async def work(uow):  # type: ignore[no-untyped-def]
        for n in range(21):
            data = NewSignal(place.wijk_a.id, SignalCategory.onderhoud, f"Lekkage {n}", source=SignalSource.woningcorporatie)
            await signals.create_signal(uow, scope, data, datetime.now(UTC))

    world.run(work)
    small = statements_for(world, app, f"{API}/feeds/signals?limit=2", Role.housing_system)
    large = statements_for(world, app, f"{API}/feeds/signals?limit=20", Role.housing_system)
    assert small == large <= 3  # the token's account, the scope (its service areas), the page
