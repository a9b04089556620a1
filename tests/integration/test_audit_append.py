"""Appending to the audit trail keeps every event as given, on both databases and in both of
PostgreSQL's statements: events that share everything but their ids (a page of contact moments) and
events that differ in actor, action, fields or purpose. A page of contact moments, which stores its
events in its own statement on PostgreSQL, stores the same events as appending would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain import contact_moments, residents
from domain.audit import (
    SYSTEM,
    Access,
    Actor,
    AuditAction,
    AuditEvent,
    AuditFilter,
    AuditStamp,
    RecordKind,
    audit_event,
    events_for,
)
from domain.contact_moments import CONTACT_FIELDS, ContactKind, ContactMomentFilter, NewContactMoment
from domain.identity import Role
from domain.pagination import PageRequest
from domain.residents import NewResident
from domain.scope import load_scope
from tests.factories import World, build_neighbourhoods, today


def _appended(world: World, events: list[AuditEvent]) -> list[AuditEvent]:
    async def work(uow):  # type: ignore[no-untyped-def]
        await uow.audit.append(events)
        await uow.commit()
        found = []
        for resident in {e.resident_id for e in events}:
            found += await uow.audit.of_resident(resident)
        return found

    return sorted(world.run(work), key=lambda e: e.id)


def test_events_sharing_all_but_their_ids_are_kept_as_given(world: World) -> None:
    actor = Actor(world.principals[Role.wijkagent], "req-shared")
    now = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
    events = []
    for _ in range(5):
        events += events_for(
            actor, AuditAction.read, [uuid4(), uuid4()], now, record_kind=RecordKind.contact_moment, record_id=uuid4(),
            fields=("kind", "summary"),
        )
    assert _appended(world, events) == sorted(events, key=lambda e: e.id)


def test_events_that_differ_beyond_their_ids_are_kept_as_given(world: World) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    resident = uuid4()
    first = audit_event(Actor(world.principals[Role.opbouwwerker], "req-a"), AuditAction.read, resident, now, fields=("phone",))
    events = [
        first,
        replace(audit_event(SYSTEM, AuditAction.delete, resident, now + timedelta(seconds=1)), purpose="bewaartermijn"),
        audit_event(Actor(world.principals[Role.wijkagent], None), AuditAction.update, resident, now, fields=("email", "phone")),
    ]
    assert _appended(world, events) == sorted(events, key=lambda e: e.id)


def test_one_event_alone(world: World) -> None:
    event = audit_event(SYSTEM, AuditAction.export, uuid4(), datetime(2026, 1, 1, tzinfo=UTC), purpose="inzage")

    async def listed(uow):  # type: ignore[no-untyped-def]
        await uow.audit.append([event])
        await uow.commit()
        return (await uow.audit.list(PageRequest(limit=10), AuditFilter(resident_id=event.resident_id))).items

    assert world.run(listed) == [event]


def test_a_page_of_contact_moments_stores_one_event_per_resident_it_shows(world: World) -> None:
    """On PostgreSQL the page writes its events itself (persistence.contact_moments._page_statement),
    elsewhere they are appended after it: on both, exactly the events AuditStamp.events gives for the
    moments shown (not for the row read ahead to learn that a next page exists), with new UUIDv7 ids
    made while the page was read."""
    place = build_neighbourhoods(world)
    scope = world.run(lambda uow: load_scope(uow, world.principals[Role.wijkagent], today()))
    now = datetime.now(UTC)

    async def record(uow):  # type: ignore[no-untyped-def]
        access = Access(scope, "req-record")
        named = [
            (await residents.register_resident(uow, access, NewResident(place.wijk_a.id, name), now)).id
            for name in ("Anna", "Bram", "Cas", "Dewi")
        ]
        # The third moment is the row read ahead of a page of two.
        for n, involved in enumerate(([named[0], named[1]], [named[2]], [named[3]])):
            data = NewContactMoment(
                place.wijk_a.id, place.koppel_a.id, ContactKind.huisbezoek, now - timedelta(minutes=10 - n),
                f"Bezoek {n}", resident_ids=frozenset(involved),
            )
            await contact_moments.record_contact_moment(uow, access, data, now)

    world.run(record)
    access = Access(scope, "req-page")
    read_at = datetime.now(UTC)

    async def page_and_events(uow):  # type: ignore[no-untyped-def]
        page = await contact_moments.list_contact_moments(uow, access, PageRequest(limit=2), ContactMomentFilter(), read_at)
        stored = await uow.audit.list(PageRequest(limit=100), AuditFilter(request_id="req-page"))
        return page, stored.items

    before = datetime.now(UTC)
    page, stored = world.run(page_and_events)
    after = datetime.now(UTC)
    assert page.next_cursor is not None and len(page.items) == 2
    stamp = AuditStamp(access.actor, AuditAction.read, read_at, RecordKind.contact_moment, CONTACT_FIELDS)
    expected = [e for m in page.items for e in stamp.events(m.id, m.resident_ids)]
    assert len(expected) == 3

    def without_id(e: AuditEvent) -> AuditEvent:
        return replace(e, id=UUID(int=0))

    assert sorted(map(without_id, stored), key=str) == sorted(map(without_id, expected), key=str)
    assert len({e.id for e in stored}) == 3
    for e in stored:
        assert e.id.version == 7
        made_ms = e.id.int >> 80  # UUIDv7: the milliseconds since the epoch in its first 48 bits
        assert before.timestamp() * 1000 - 1 <= made_ms <= after.timestamp() * 1000 + 1
