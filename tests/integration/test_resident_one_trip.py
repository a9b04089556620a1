"""GET /residents/{id} in one statement on PostgreSQL (persistence/resident_reads.py) must answer exactly as
the domain's rules do step by step: compute_scope over the koppel facts, can_read_resident, and
disclosed + audit_event for the event. Compared day by day around every boundary a membership, a koppel
and a wijk assignment have, and for residents with and without each optional field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from domain.audit import AuditFilter
from domain.identity import KOPPEL_ROLES, Principal, Role
from domain.pagination import PageRequest
from domain.residents import RESIDENT_FIELDS, OneTripRead, can_read_resident, disclosed
from domain.scope import compute_scope
from persistence.tables import KoppelMemberRow, KoppelRow, KoppelWijkRow
from persistence.uow import SqlUnitOfWork
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today
from tests.integration.test_statement_counts import counting
from tests.resident_support import API, resident_body

MEMBER, KOPPEL, ASSIGNMENT = KoppelMemberRow.__table__, KoppelRow.__table__, KoppelWijkRow.__table__


@pytest.fixture
def place(world: World, backend: str) -> Neighbourhoods:
    if backend != "postgresql":
        pytest.skip("the one-statement read is PostgreSQL's (SQLite has no INSERT inside WITH)")
    return build_neighbourhoods(world)


def one_trip(world: World, principal: Principal, resident_id: UUID, on: date, readers: frozenset[Role] = KOPPEL_ROLES):  # type: ignore[no-untyped-def]
    request = OneTripRead(principal.id, readers, resident_id, on, uuid4(), datetime.now(UTC), "req-one-trip")

    async def work(uow: SqlUnitOfWork):  # type: ignore[no-untyped-def]
        return await uow.residents.read_audited(request)

    return world.run(work)


def step_by_step(world: World, principal: Principal, resident_id: UUID, on: date) -> bool:
    """What the domain's rules decide: may this principal read the resident on `on`?"""

    async def work(uow: SqlUnitOfWork) -> bool:
        scope = compute_scope(principal, await uow.scope.koppel_facts(principal.id), on)
        resident = await uow.residents.get(resident_id)
        assert resident is not None
        return not resident.anonymised and can_read_resident(scope, resident.reach).allowed

    return world.run(work)


def new_resident(world: World, body: dict) -> UUID:  # type: ignore[type-arg]
    response = world.client.post(f"{API}/residents", json=body, headers=world.headers(Role.opbouwwerker))
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


def set_dates(world: World, table, row_id: UUID, **values) -> None:  # type: ignore[no-untyped-def]
    async def work(uow: SqlUnitOfWork) -> None:
        await uow.session.execute(update(table).where(table.c.id == row_id).values(**values))
        await uow.commit()

    world.run(work)


def test_the_statement_decides_as_the_domain_does_around_every_boundary(world: World, place: Neighbourhoods) -> None:
    member = place.koppel_a.members[Role.opbouwwerker]
    resident = new_resident(world, resident_body(place.wijk_a.id))
    outsider = new_resident(world, resident_body(place.wijk_a.id))
    start = today() - timedelta(days=10)
    membership = place.koppel_a.memberships[Role.opbouwwerker]
    assignment = world.run(
        lambda uow: uow.session.execute(ASSIGNMENT.select().where(ASSIGNMENT.c.koppel_id == place.koppel_a.id))
    ).mappings().one()["id"]
    set_dates(world, KOPPEL, place.koppel_a.id, starts_on=start - timedelta(days=5), ends_on=start + timedelta(days=12))
    set_dates(world, MEMBER, membership, joined_on=start, left_on=start + timedelta(days=6))
    set_dates(world, ASSIGNMENT, assignment, starts_on=start + timedelta(days=2), ends_on=start + timedelta(days=9))
    days = [start + timedelta(days=n) for n in range(-7, 16)]
    decided = {day: step_by_step(world, member, resident, day) for day in days}
    assert any(decided.values()) and not all(decided.values())  # the window lies inside the days compared
    for day in days:
        answer = one_trip(world, member, resident, day)
        assert answer.account_role is Role.opbouwwerker and answer.account_active
        assert (answer.resident is not None) == decided[day], day
    # A koppel that is no longer active reaches nothing, whatever the dates say.
    set_dates(world, KOPPEL, place.koppel_a.id, status="concept")
    for day in days:
        assert not step_by_step(world, member, resident, day)
        assert one_trip(world, member, resident, day).resident is None
    # Another koppel's member, a role outside the readers, an unknown account.
    other = place.koppel_b.members[Role.opbouwwerker]
    assert one_trip(world, other, outsider, today()).resident is None
    assert one_trip(world, member, resident, today(), readers=frozenset({Role.wijkagent})).resident is None
    stranger = Principal(member.kind, uuid4(), member.role, member.organisation_id)
    assert one_trip(world, stranger, resident, today()).account_role is None


def test_the_audit_event_names_the_fields_that_hold_a_value(world: World, place: Neighbourhoods) -> None:
    member = place.koppel_a.members[Role.wijkagent]
    full = resident_body(place.wijk_a.id)
    sparse = {key: value for key, value in full.items() if key in ("wijkId", "givenName")}
    for body in (full, sparse, {**full, "languages": []}):
        resident_id = new_resident(world, body)
        answer = one_trip(world, member, resident_id, today())
        assert answer.resident is not None

        async def events(uow: SqlUnitOfWork, resident_id: UUID = resident_id):  # type: ignore[no-untyped-def]
            return (await uow.audit.list(PageRequest(limit=50), AuditFilter(resident_id=resident_id, actor_id=member.id))).items

        (event,) = world.run(events)
        assert event.fields == tuple(sorted(disclosed(answer.resident, RESIDENT_FIELDS)))
        assert (event.actor_role, event.actor_organisation_id, event.request_id) == (
            Role.wijkagent, member.organisation_id, "req-one-trip"
        )
    # Nothing read, nothing logged: out of scope.
    outside = new_resident(world, resident_body(place.wijk_a.id))
    other = place.koppel_b.members[Role.wijkagent]
    assert one_trip(world, other, outside, today()).resident is None

    async def logged(uow: SqlUnitOfWork):  # type: ignore[no-untyped-def]
        return (await uow.audit.list(PageRequest(limit=50), AuditFilter(resident_id=outside, actor_id=other.id))).items

    assert world.run(logged) == []


def test_reading_a_resident_is_one_statement(world: World, app: FastAPI, place: Neighbourhoods) -> None:
    resident = new_resident(world, resident_body(place.wijk_a.id))
    headers = world.headers(Role.opbouwwerker)
    world.client.get(f"{API}/residents/{resident}", headers=headers)
    with counting(app) as statements:
        response = world.client.get(f"{API}/residents/{resident}", headers=headers)
    assert response.status_code == 200
    assert len(statements) == 1, statements  # no BEGIN, no ping, no COMMIT
