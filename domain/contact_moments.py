"""Contact moments (contactmomenten): the koppel's presence made visible — a talk in the street, a
home visit, an office hour, a coffee morning, a meeting, a phone call.

A contact moment belongs to a koppel working in a wijk, happened at an instant, may name the
residents involved (residents of that wijk) and has a short summary. Naming a resident is personal
data (the resident was visited, on that day): every create, read, list and change of a moment that
involves residents writes one audit event per resident (record kind `contact_moment`), a moment
counts as activity of the residents involved (retention), and the resident's export lists the
moments they appear in. Erasing a resident unlinks them and removes the summary and place of the
moments that involved them (domain.rights): those may mention them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.audit import Access, AuditAction, AuditEvent, AuditStamp, RecordKind, events_for
from domain.casework import Actor, check_version, local_day_bounds, required_text, wijk_for_new_work
from domain.errors import InvalidInput, NotFound
from domain.identity import KOPPEL_ROLES
from domain.koppels import wijken_on
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.residents import has_control_characters
from domain.scope import ALLOWED, Decision, Outcome, Scope, enforce

NOT_FOUND = "contact moment not found"
MAX_SUMMARY = 5000
MAX_PLACE = 200
MAX_RESIDENTS = 50
# A client's clock may run a little ahead of ours; a moment "just now" is not refused for that.
CLOCK_SKEW = timedelta(minutes=5)
CONTACT_FIELDS = ("kind", "occurredAt", "place", "summary")
NO_CONTACT_MOMENTS = "contact moments are the koppel's own record and may name residents"


class ContactKind(StrEnum):
    """How the koppel met residents."""

    straatgesprek = "straatgesprek"  # a talk in the street
    huisbezoek = "huisbezoek"  # a home visit
    spreekuur = "spreekuur"  # an office hour
    koffieochtend = "koffieochtend"  # a coffee morning
    bijeenkomst = "bijeenkomst"  # a meeting
    telefoon = "telefoon"  # a phone call


@dataclass(frozen=True)
class ContactMoment:
    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    kind: ContactKind
    occurred_at: datetime
    place: str | None
    summary: str | None  # None only after an erasure removed it
    resident_ids: frozenset[UUID]
    recorded_by: Actor
    redacted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewContactMoment:
    wijk_id: UUID
    koppel_id: UUID
    kind: ContactKind
    occurred_at: datetime
    summary: str
    place: str | None = None
    resident_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class ContactMomentFilter:
    wijk_id: UUID | None = None
    koppel_id: UUID | None = None
    kind: ContactKind | None = None
    occurred_from: date | None = None  # local days, both inclusive
    occurred_to: date | None = None
    resident_id: UUID | None = None

    def occurred_range(self) -> tuple[datetime | None, datetime | None]:
        """The period as instants [start, end); 400 when it runs backwards."""
        return local_day_bounds(self.occurred_from, self.occurred_to, from_field="from", to_field="to")


# --- policy ------------------------------------------------------------------------------------


def can_work_with_contact_moments(scope: Scope, wijk_id: UUID) -> Decision:
    """Contact moments are the koppel's own record: its members in the wijk create, read and correct
    them; every other role is refused outright (they may name residents)."""
    if scope.role in KOPPEL_ROLES:
        if wijk_id in scope.wijk_ids:
            return ALLOWED
        return Decision(Outcome.out_of_scope, "the wijk is outside your wijken")
    return Decision(Outcome.forbidden, NO_CONTACT_MOMENTS)


def can_list_contact_moments(scope: Scope) -> Decision:
    """Koppel members list the moments of their wijken; nobody else lists any."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED
    return Decision(Outcome.forbidden, NO_CONTACT_MOMENTS)


# --- rules -------------------------------------------------------------------------------------


async def own_koppel_in_wijk(uow: UnitOfWork, scope: Scope, koppel_id: UUID, wijk_id: UUID) -> None:
    """The koppel is one of the caller's own, active today and working in the wijk today (400 on
    `koppelId` otherwise: a koppel the caller does not belong to is reported like a missing one)."""
    koppel = await uow.koppels.get(koppel_id) if koppel_id in scope.koppel_ids else None
    assignments = await uow.assignments.of_koppels([koppel_id]) if koppel else []
    if koppel is None or not koppel.is_active_on(scope.on) or wijk_id not in wijken_on(assignments, scope.on):
        raise InvalidInput.field(
            "koppelId", "name your own koppel, active and working in this wijk today", code="unknown_reference"
        )


async def residents_of_wijk(uow: UnitOfWork, resident_ids: Iterable[UUID], wijk_id: UUID, field: str) -> frozenset[UUID]:
    """Check residents to link: each exists, is not erased and lives in the wijk (400 on `field`,
    a resident elsewhere reported like a missing one so existence does not leak)."""
    wanted = frozenset(resident_ids)
    if len(wanted) > MAX_RESIDENTS:
        raise InvalidInput.field(field, f"at most {MAX_RESIDENTS} residents", code="too_long")
    found = {r.id: r for r in await uow.residents.get_many(wanted)} if wanted else {}
    for resident_id in sorted(wanted, key=str):
        resident = found.get(resident_id)
        if resident is None or resident.anonymised or resident.wijk_id != wijk_id:
            raise InvalidInput.field(field, f"no such resident in this wijk: {resident_id}", code="unknown_reference")
    return wanted


def check_texts(summary: str | None, place: str | None) -> tuple[str, str | None]:
    """A summary is present and bounded; a place is optional and short; no control characters."""
    text = required_text(summary, "summary", "summarise the contact")
    if len(text) > MAX_SUMMARY:
        raise InvalidInput.field("summary", f"at most {MAX_SUMMARY} characters", code="too_long")
    where = " ".join(place.split()) if place else None
    if where is not None and len(where) > MAX_PLACE:
        raise InvalidInput.field("place", f"at most {MAX_PLACE} characters", code="too_long")
    for name, value in (("summary", text), ("place", where)):
        if has_control_characters(value):
            raise InvalidInput.field(name, "must not contain control characters", code="control_characters")
    return text, where or None


def check_occurred_at(occurred_at: datetime, now: datetime) -> datetime:
    """A contact moment is recorded after it happened (a few minutes of clock skew allowed)."""
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidInput.field("occurredAt", "a contact moment cannot lie in the future", code="future")
    return min(occurred_at, now)


def _events(access: Access, action: AuditAction, moment: ContactMoment, now: datetime, fields: Iterable[str] = CONTACT_FIELDS, residents: Iterable[UUID] | None = None) -> list[AuditEvent]:
    return events_for(
        access.actor, action, moment.resident_ids if residents is None else residents, now,
        record_kind=RecordKind.contact_moment, record_id=moment.id, fields=fields,
    )


# --- use cases ---------------------------------------------------------------------------------


async def record_contact_moment(uow: UnitOfWork, access: Access, data: NewContactMoment, now: datetime) -> ContactMoment:
    """Record a contact moment of one of the caller's koppels in one of its wijken."""
    scope = access.scope
    wijk = await wijk_for_new_work(uow, can_work_with_contact_moments(scope, data.wijk_id), data.wijk_id)
    await own_koppel_in_wijk(uow, scope, data.koppel_id, wijk.id)
    summary, place = check_texts(data.summary, data.place)
    moment = ContactMoment(
        id=uuid4(),
        wijk_id=wijk.id,
        koppel_id=data.koppel_id,
        kind=data.kind,
        occurred_at=check_occurred_at(data.occurred_at, now),
        place=place,
        summary=summary,
        resident_ids=await residents_of_wijk(uow, data.resident_ids, wijk.id, "residentIds"),
        recorded_by=Actor.of(scope.principal),
        redacted_at=None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.contact_moments.add(moment)
    for resident_id in moment.resident_ids:
        await uow.residents.touch_activity(resident_id, now)
    await uow.audit.append(_events(access, AuditAction.create, moment, now))
    stored = await uow.contact_moments.get(moment.id)  # with the recorder's name, as every read shows it
    await uow.commit()
    assert stored is not None
    return stored


async def _reachable(uow: UnitOfWork, scope: Scope, moment_id: UUID) -> ContactMoment:
    moment = await uow.contact_moments.get(moment_id)
    if moment is None:
        raise NotFound(NOT_FOUND)
    enforce(can_work_with_contact_moments(scope, moment.wijk_id), NOT_FOUND)
    return moment


async def get_contact_moment(uow: UnitOfWork, access: Access, moment_id: UUID, now: datetime) -> ContactMoment:
    """Read one contact moment; the residents it names are audited before it is returned."""
    moment = await _reachable(uow, access.scope, moment_id)
    if moment.resident_ids:
        await uow.audit.append(_events(access, AuditAction.read, moment, now))
        await uow.commit()
    return moment


async def list_contact_moments(
    uow: UnitOfWork, access: Access, page: PageRequest, filters: ContactMomentFilter, now: datetime
) -> Page[ContactMoment]:
    """The contact moments in the caller's wijken, oldest first; filter by wijk, koppel, kind,
    period and resident. One audit event per resident named on the page, stored by the store as it
    reads the page."""
    scope = access.scope
    enforce(can_list_contact_moments(scope), NOT_FOUND)
    filters.occurred_range()
    read = AuditStamp(access.actor, AuditAction.read, now, RecordKind.contact_moment, CONTACT_FIELDS)
    result = await uow.contact_moments.list(scope.wijk_ids, page, filters, audited_as=read)
    if any(m.resident_ids for m in result.items):
        await uow.commit()
    return result


async def update_contact_moment(
    uow: UnitOfWork,
    access: Access,
    moment_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> ContactMoment:
    """Correct a contact moment: kind, when, place, summary, the residents involved."""
    scope = access.scope
    current = await _reachable(uow, scope, moment_id)
    check_version(current.version, expected_version)
    candidate = replace(current, **changes)
    summary, place = check_texts(candidate.summary, candidate.place)
    candidate = replace(candidate, summary=summary, place=place)
    if "occurred_at" in changes:
        candidate = replace(candidate, occurred_at=check_occurred_at(candidate.occurred_at, now))
    if "resident_ids" in changes:
        candidate = replace(
            candidate, resident_ids=await residents_of_wijk(uow, candidate.resident_ids, current.wijk_id, "residentIds")
        )
    names = {"kind": "kind", "occurred_at": "occurredAt", "place": "place", "summary": "summary", "resident_ids": "residentIds"}
    changed = [wire for name, wire in names.items() if getattr(current, name) != getattr(candidate, name)]
    updated = await uow.contact_moments.save(candidate, expected_version, now)
    involved = current.resident_ids | candidate.resident_ids
    for resident_id in candidate.resident_ids:
        await uow.residents.touch_activity(resident_id, now)
    await uow.audit.append(_events(access, AuditAction.update, updated, now, fields=changed, residents=involved))
    await uow.commit()
    return updated
