"""Presence: when and where residents can meet their koppel — fixed weekly times and one-off dates.

Presence is public information ("makkelijk benaderbaar"): `public_presence` builds what a
resident-facing site may show for a wijk, with the professionals' names and nothing about residents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.errors import InvalidInput, NotFound
from domain.koppels import KoppelRole, reachable_koppel, wijken_on
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, can_manage_presence, enforce

NOT_FOUND = "presence not found"
# How far ahead the public page lists one-off presence.
PUBLIC_HORIZON = timedelta(weeks=8)


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def iso(self) -> int:
        """ISO 8601 day number: Monday is 1."""
        return list(Weekday).index(self) + 1


class PresenceKind(StrEnum):
    weekly = "weekly"  # a fixed time every week (spreekuur, vaste tijden)
    once = "once"  # a single date (a coffee morning, a walk through the street)


@dataclass(frozen=True)
class Presence:
    id: UUID
    koppel_id: UUID
    kind: PresenceKind
    weekday: Weekday | None
    occurs_on: date | None
    start_time: time
    end_time: time
    place: str
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def sort_key(self) -> str:
        """Weekly times first (Monday to Sunday), then one-off dates, each by starting time."""
        start = self.start_time.strftime("%H:%M")
        if self.kind is PresenceKind.weekly and self.weekday is not None:
            return f"1-{self.weekday.iso}-{start}"
        return f"2-{self.occurs_on.isoformat() if self.occurs_on else ''}-{start}"


@dataclass(frozen=True)
class NewPresence:
    kind: PresenceKind
    start_time: time
    end_time: time
    place: str
    weekday: Weekday | None = None
    occurs_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Professional:
    display_name: str
    koppel_role: KoppelRole


@dataclass(frozen=True)
class KoppelPresence:
    koppel_name: str
    professionals: tuple[Professional, ...]
    weekly: tuple[Presence, ...]
    upcoming: tuple[Presence, ...]


@dataclass(frozen=True)
class PublicPresence:
    wijk_code: str
    wijk_name: str
    koppels: tuple[KoppelPresence, ...]


def check_presence(presence: Presence) -> Presence:
    """Weekly presence has a weekday and no date, one-off presence a date; it ends after it starts."""
    if presence.kind is PresenceKind.weekly:
        if presence.weekday is None:
            raise InvalidInput.field("weekday", "weekly presence needs a weekday", code="required")
        if presence.occurs_on is not None:
            raise InvalidInput.field("occursOn", "only one-off presence has a date", code="not_allowed")
    else:
        if presence.occurs_on is None:
            raise InvalidInput.field("occursOn", "one-off presence needs a date", code="required")
        if presence.weekday is not None:
            raise InvalidInput.field("weekday", "only weekly presence has a weekday", code="not_allowed")
    if presence.end_time <= presence.start_time:
        raise InvalidInput.field("endTime", "must be later than startTime", code="order")
    if not presence.place.strip():
        raise InvalidInput.field("place", "say where residents can find the koppel", code="required")
    note = presence.note.strip() if presence.note else None
    return replace(presence, place=presence.place.strip(), note=note or None)


async def _manage(uow: UnitOfWork, scope: Scope, koppel_id: UUID) -> None:
    koppel, assignments = await reachable_koppel(uow, scope, koppel_id)
    enforce(can_manage_presence(scope, koppel.id, wijken_on(assignments, scope.on)), "koppel not found")


async def create_presence(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, data: NewPresence, now: datetime
) -> Presence:
    """Plan a fixed weekly time or a one-off date; the koppel's own members (or the admin) only."""
    await _manage(uow, scope, koppel_id)
    presence = check_presence(
        Presence(
            id=uuid4(),
            koppel_id=koppel_id,
            kind=data.kind,
            weekday=data.weekday,
            occurs_on=data.occurs_on,
            start_time=data.start_time,
            end_time=data.end_time,
            place=data.place,
            note=data.note,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    await uow.presence.add(presence)
    await uow.commit()
    return presence


async def list_presence(uow: UnitOfWork, scope: Scope, koppel_id: UUID, page: PageRequest) -> Page[Presence]:
    """A koppel's presence: weekly times by weekday, then one-off dates."""
    await reachable_koppel(uow, scope, koppel_id)
    return await uow.presence.list(koppel_id, page)


async def get_presence(uow: UnitOfWork, scope: Scope, koppel_id: UUID, presence_id: UUID) -> Presence:
    """Read one presence entry of a koppel in scope."""
    await reachable_koppel(uow, scope, koppel_id)
    presence = await uow.presence.get(presence_id)
    if presence is None or presence.koppel_id != koppel_id:
        raise NotFound(NOT_FOUND)
    return presence


async def update_presence(
    uow: UnitOfWork,
    scope: Scope,
    koppel_id: UUID,
    presence_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Presence:
    """Change times, place or note (the kind stays: weekly or one-off)."""
    await _manage(uow, scope, koppel_id)
    current = await uow.presence.get(presence_id)
    if current is None or current.koppel_id != koppel_id:
        raise NotFound(NOT_FOUND)
    candidate = check_presence(replace(current, **changes))
    updated = await uow.presence.save(candidate, expected_version, now)
    await uow.commit()
    return updated


async def delete_presence(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, presence_id: UUID, expected_version: int
) -> None:
    """Remove a presence entry (presence is a plan, not history)."""
    await _manage(uow, scope, koppel_id)
    current = await uow.presence.get(presence_id)
    if current is None or current.koppel_id != koppel_id:
        raise NotFound(NOT_FOUND)
    await uow.presence.delete(presence_id, expected_version)
    await uow.commit()


async def public_presence(uow: UnitOfWork, wijk_code: str, today: date) -> PublicPresence:
    """Where and when residents of a wijk meet their koppel: for anyone, without a token.

    Only koppels active in the wijk today count; only today's members are named, by display name
    and koppel role. One-off presence is listed from today for PUBLIC_HORIZON.
    """
    wijk = await uow.wijken.get_by_code(wijk_code)
    if wijk is None or not wijk.active:
        raise NotFound("wijk not found")
    koppels = [k for k in await uow.koppels.working_in(wijk.id, today) if k.is_active_on(today)]
    ids = [k.id for k in koppels]
    members = await uow.memberships.of_koppels(ids) if ids else []
    entries = await uow.presence.of_koppels(ids, today, today + PUBLIC_HORIZON) if ids else []
    result = []
    for koppel in koppels:
        own = [p for p in entries if p.koppel_id == koppel.id]
        result.append(
            KoppelPresence(
                koppel_name=koppel.name,
                professionals=tuple(
                    Professional(m.display_name, m.koppel_role)
                    for m in sorted(members, key=lambda m: (m.koppel_role.value, m.display_name))
                    if m.koppel_id == koppel.id and m.period.covers(today)
                ),
                weekly=tuple(p for p in own if p.kind is PresenceKind.weekly),
                upcoming=tuple(p for p in own if p.kind is PresenceKind.once),
            )
        )
    return PublicPresence(wijk_code=wijk.code, wijk_name=wijk.name, koppels=tuple(result))
