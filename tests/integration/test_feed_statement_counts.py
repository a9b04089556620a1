"""Feeds cost the same number of statements for 2 changes as for 20: each page is one statement that
joins the change log to the items as they are now (see test_statement_counts for the counting)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from domain import agenda
from domain.agenda import Addressee, AddresseeKind, AgendaMove, AgendaStatus, AgendaTheme, NewAgendaItem
from domain.identity import Role
from domain.scope import load_scope
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
