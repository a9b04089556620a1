"""Lists of contact moments, needs, referrals and follow-ups cost the same number of statements for 2
rows as for 20: residents, names and audit events are handled per page, not per row (see
test_statement_counts for how statements are counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from domain import consents, contact_moments, needs, offers, referrals, residents
from domain.audit import Access
from domain.categories import NeedCategory
from domain.consents import ConsentForm, ConsentScope, NewConsent
from domain.contact_moments import ContactKind, NewContactMoment
from domain.identity import Role
from domain.needs import NewNeed
from domain.referrals import NewReferral, ReferralMove, ReferralStatus
from domain.residents import NewResident
from domain.scope import load_scope
from tests.factories import World, admin_scope, build_neighbourhoods, today
from tests.integration.test_statement_counts import statements_for

API = "/api/v1"


def access_of(world: World, role: Role) -> Access:
    return Access(world.run(lambda uow: load_scope(uow, world.principals[role], today())), "test")


def test_contact_moment_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI, backend: str) -> None:
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
    # The account with its scope facts, then on PostgreSQL the page with its residents and the audit
    # events of the residents it names; on SQLite the page, its residents and its events.
    expected = 2 if backend == "postgresql" else 4
    for role in (Role.wijkagent, Role.opbouwwerker):
        small = statements_for(world, app, f"{API}/contact-moments?limit=2", role)
        large = statements_for(world, app, f"{API}/contact-moments?limit=20", role)
        assert small == large == expected, role


def test_need_referral_and_follow_up_lists_cost_the_same_for_2_and_20_rows(world: World, app: FastAPI) -> None:
    place = build_neighbourhoods(world)
    access = access_of(world, Role.opbouwwerker)
    agency = world.organisations["instantie"].id

    async def work(uow):  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        resident = await residents.register_resident(uow, access, NewResident(place.wijk_a.id, "Anna"), now)
        await consents.record_consent(
            uow, access, resident.id,
            NewConsent(agency, frozenset({ConsentScope.identity, ConsentScope.contact_details}), "schuldhulp", ConsentForm.spoken),
            now,
        )
        offer = await offers.create_offer(
            uow, admin_scope(world),
            offers.NewOffer(agency, "Schuldhulp", "Hulp", frozenset({NeedCategory.schulden}), "bel", wijk_ids=frozenset({place.wijk_a.id})),
            now,
        )
        for n in range(21):
            need = await needs.record_need(
                uow, access, NewNeed(place.wijk_a.id, place.koppel_a.id, NeedCategory.schulden, f"Vraag {n}", resident_id=resident.id), now
            )
            referral = await referrals.propose_referral(uow, access, NewReferral(need.id, offer.id), now)
            await referrals.move_referral(
                uow, access, referral.id, 1, ReferralMove(ReferralStatus.aangemeld, follow_up_on=today()), now
            )

    world.run(work)
    cases = [
        (f"{API}/needs", Role.opbouwwerker),
        (f"{API}/referrals", Role.opbouwwerker),
        (f"{API}/referrals", Role.agency_worker),
        (f"{API}/koppels/{place.koppel_a.id}/follow-ups", Role.wijkagent),
    ]
    for url, role in cases:
        small = statements_for(world, app, f"{url}?limit=2", role)
        large = statements_for(world, app, f"{url}?limit=20", role)
        assert small == large <= 7, (url, role, small, large)
