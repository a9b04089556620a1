"""Appending to the audit trail keeps every event as given, on both databases and in both of
PostgreSQL's statements: events that share everything but their ids (a page of contact moments) and
events that differ in actor, action, fields or purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.audit import (
    SYSTEM,
    Actor,
    AuditAction,
    AuditEvent,
    AuditFilter,
    RecordKind,
    audit_event,
    events_for,
)
from domain.identity import Role
from domain.pagination import PageRequest
from tests.factories import World


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
