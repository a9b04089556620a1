"""Lists of contact moments, needs, referrals and follow-ups cost the same number of statements for 2
rows as for 20: residents, names and audit events are handled per page, not per row (see
test_statement_counts for how statements are counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from domain import contact_moments, residents
from domain.audit import Access
from domain.contact_moments import ContactKind, NewContactMoment
from domain.identity import Role
from domain.residents import NewResident
from domain.scope import load_scope
from tests.factories import World, build_neighbourhoods, today
from tests.integration.test_statement_counts import statements_for

API = "/api/v1"


def access_of(world: World, role: Role) -> Access:
    return Access(world.run(lambda uow: load_scope(uow, world.principals[role], today())), "test")


def test_contact_moment_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    access = access_of(world, Role.wijkagent)

    async def work(uow):  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        resident = await residents.register_resident(uow, access, NewResident(place.wijk_a.id, "Anna"), now)
        for n in range(21):
            data = NewContactMoment(
                place.wijk_a.id, place.koppel_a.id, ContactKind.straatgesprek, now - timedelta(minutes=n),
                f"Praatje {n}", resident_ids=frozenset({resident.id}),
            )
            await contact_moments.record_contact_moment(uow, access, data, now)

    world.run(work)
    for role in (Role.wijkagent, Role.opbouwwerker):
        small = statements_for(world, app, f"{API}/contact-moments?limit=2", role)
        large = statements_for(world, app, f"{API}/contact-moments?limit=20", role)
        assert small == large <= 6, role
