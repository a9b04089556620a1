"""Koppels: their members and wijken over time, the rule that makes a koppel active, and history.

Memberships and wijk assignments are never deleted: they are ended with a date, so the question
"who worked wijk X on day D" keeps its answer. Periods are half-open (see domain.dates.Period).

Activation rule: a koppel starts as a `concept`; it becomes `actief` only when, on every day from
today (or its start, when later) to its end, it has at least one wijkagent and one opbouwwerker.
While active that invariant is kept: ending the last wijkagent's membership without a successor is
refused, and so is going back to `concept` (end the koppel with `ends_on` instead). A koppel is
*active on day D* when it is `actief` and D lies in its period; only then do its members reach its
wijken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.dates import Period
from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import ROLE_ORGANISATION_KINDS, Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import (
    Scope,
    can_manage_koppel,
    can_read_koppel,
    can_read_who_worked,
    enforce,
)

NOT_FOUND = "koppel not found"
MEMBER_NOT_FOUND = "koppel membership not found"
ASSIGNMENT_NOT_FOUND = "koppel wijk assignment not found"


class KoppelRole(StrEnum):
    """The part a member plays in the koppel; it must be the member's own staff role."""

    wijkagent = "wijkagent"
    opbouwwerker = "opbouwwerker"
    wijkbeheerder = "wijkbeheerder"


class KoppelStatus(StrEnum):
    concept = "concept"
    actief = "actief"


REQUIRED_ROLES = (KoppelRole.wijkagent, KoppelRole.opbouwwerker)


@dataclass(frozen=True)
class Koppel:
    id: UUID
    name: str
    status: KoppelStatus
    starts_on: date
    ends_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def period(self) -> Period:
        return Period(self.starts_on, self.ends_on)

    def is_active_on(self, day: date) -> bool:
        """Active: status actief and `day` in its period."""
        return self.status is KoppelStatus.actief and self.period.covers(day)


@dataclass(frozen=True)
class Membership:
    id: UUID
    koppel_id: UUID
    user_id: UUID
    koppel_role: KoppelRole
    joined_on: date
    left_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    display_name: str = ""  # the member's name, read with the membership

    @property
    def period(self) -> Period:
        return Period(self.joined_on, self.left_on)


@dataclass(frozen=True)
class WijkAssignment:
    id: UUID
    koppel_id: UUID
    wijk_id: UUID
    starts_on: date
    ends_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    wijk_code: str = ""  # read with the assignment
    wijk_name: str = ""

    @property
    def period(self) -> Period:
        return Period(self.starts_on, self.ends_on)


@dataclass(frozen=True)
class KoppelDetails:
    """A koppel with its current and upcoming members and wijken (history: the sub-resources)."""

    koppel: Koppel
    members: tuple[Membership, ...]
    wijken: tuple[WijkAssignment, ...]
    active: bool


@dataclass(frozen=True)
class NewKoppel:
    name: str
    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class NewMember:
    user_id: UUID
    koppel_role: KoppelRole
    joined_on: date | None = None


@dataclass(frozen=True)
class NewAssignment:
    wijk_id: UUID
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class KoppelFilter:
    wijk_id: UUID | None = None
    status: KoppelStatus | None = None
    active: bool | None = None


@dataclass(frozen=True)
class WorkedWijk:
    """One member of a koppel that worked a wijk on the day asked about."""

    koppel_id: UUID
    koppel_name: str
    membership: Membership


# --- rules -------------------------------------------------------------------------------------


def first_incomplete_day(
    memberships: Iterable[Membership], period: Period, from_day: date
) -> tuple[date, KoppelRole] | None:
    """The first day in the period, from `from_day` on, without a wijkagent or an opbouwwerker."""
    members = list(memberships)
    start = max(period.starts_on, from_day)
    if period.ends_on is not None and start >= period.ends_on:
        return None
    # Who is a member only changes on join and leave days, so those are the days to check.
    days = {start}
    for m in members:
        for day in (m.joined_on, m.left_on):
            if day is not None and day > start and period.covers(day):
                days.add(day)
    for day in sorted(days):
        present = {m.koppel_role for m in members if m.period.covers(day)}
        for role in REQUIRED_ROLES:
            if role not in present:
                return day, role
    return None


def check_complete(memberships: Iterable[Membership], period: Period, today: date) -> None:
    """An active koppel has a wijkagent and an opbouwwerker on every day from today on."""
    gap = first_incomplete_day(memberships, period, today)
    if gap is not None:
        day, role = gap
        raise Conflict(
            f"an active koppel needs a wijkagent and an opbouwwerker; on {day.isoformat()} it would have "
            f"no {role.value}"
        )


def check_period(period: Period, end_field: str) -> None:
    """An end date lies after the start date (periods are half-open: the end day is excluded)."""
    if not period.is_valid():
        raise InvalidInput.field(end_field, "must lie after the start date", code="period")


def _details(
    koppel: Koppel, members: Sequence[Membership], wijken: Sequence[WijkAssignment], on: date
) -> KoppelDetails:
    # The koppel shows who is and will be in it; ended memberships are in the members sub-resource.
    return KoppelDetails(
        koppel=koppel,
        members=tuple(m for m in members if m.left_on is None or m.left_on > on),
        wijken=tuple(a for a in wijken if a.ends_on is None or a.ends_on > on),
        active=koppel.is_active_on(on),
    )


# --- koppels -----------------------------------------------------------------------------------


async def reachable_koppel(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID
) -> tuple[Koppel, list[WijkAssignment]]:
    """The koppel with all its wijk assignments, when the scope reaches it; NotFound otherwise."""
    koppel = await uow.koppels.get(koppel_id)
    if koppel is None:
        raise NotFound(NOT_FOUND)
    assignments = await uow.assignments.of_koppels([koppel_id])
    enforce(can_read_koppel(scope, koppel_id, wijken_on(assignments, scope.on)), NOT_FOUND)
    return koppel, assignments


def wijken_on(assignments: Iterable[WijkAssignment], day: date) -> set[UUID]:
    """The wijken these assignments cover on `day`."""
    return {a.wijk_id for a in assignments if a.period.covers(day)}


async def _manageable(uow: UnitOfWork, scope: Scope, koppel_id: UUID, now: datetime) -> Koppel:
    """Check the right to compose the koppel, then lock it: its version moves with every change to
    its members or wijken (they are part of its representation), and concurrent changes to its
    composition are serialised, so the activation invariant cannot be broken by two at once."""
    koppel, assignments = await reachable_koppel(uow, scope, koppel_id)
    enforce(can_manage_koppel(scope, koppel.id, wijken_on(assignments, scope.on)), NOT_FOUND)
    return await uow.koppels.touch(koppel_id, now)


async def create_koppel(uow: UnitOfWork, scope: Scope, data: NewKoppel, now: datetime) -> KoppelDetails:
    """Start a koppel as a concept (admin only); members and wijken are added next."""
    enforce(can_manage_koppel(scope, None), NOT_FOUND)
    koppel = Koppel(
        id=uuid4(),
        name=data.name.strip(),
        status=KoppelStatus.concept,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        version=1,
        created_at=now,
        updated_at=now,
    )
    check_period(koppel.period, "endsOn")
    await uow.koppels.add(koppel)
    await uow.commit()
    return _details(koppel, [], [], scope.on)


async def get_koppel(uow: UnitOfWork, scope: Scope, koppel_id: UUID) -> KoppelDetails:
    """Read a koppel in scope with its current and upcoming members and wijken."""
    koppel, assignments = await reachable_koppel(uow, scope, koppel_id)
    members = await uow.memberships.of_koppels([koppel_id])
    return _details(koppel, members, assignments, scope.on)


async def list_koppels(
    uow: UnitOfWork, scope: Scope, page: PageRequest, filters: KoppelFilter
) -> Page[KoppelDetails]:
    """The koppels in scope, by name; filter by wijk (working there today), status, active today."""
    result = await uow.koppels.list(scope, page, filters)
    ids = [k.id for k in result.items]
    members = await uow.memberships.of_koppels(ids) if ids else []
    assignments = await uow.assignments.of_koppels(ids) if ids else []
    items = [
        _details(
            k,
            [m for m in members if m.koppel_id == k.id],
            [a for a in assignments if a.koppel_id == k.id],
            scope.on,
        )
        for k in result.items
    ]
    return Page(items=items, next_cursor=result.next_cursor)


async def update_koppel(
    uow: UnitOfWork,
    scope: Scope,
    koppel_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> KoppelDetails:
    """Rename, change the period, or activate (concept → actief, when complete); admin only."""
    current, assignments = await reachable_koppel(uow, scope, koppel_id)
    enforce(can_manage_koppel(scope, current.id, wijken_on(assignments, scope.on)), NOT_FOUND)
    if "name" in changes:
        changes = {**changes, "name": changes["name"].strip()}
    candidate = replace(current, **changes)
    check_period(candidate.period, "endsOn" if "ends_on" in changes else "startsOn")
    if current.status is KoppelStatus.actief and candidate.status is KoppelStatus.concept:
        raise Conflict("an active koppel cannot go back to concept; end it by setting endsOn")
    members = await uow.memberships.of_koppels([koppel_id])
    if candidate.status is KoppelStatus.actief:
        check_complete(members, candidate.period, scope.on)
    updated = await uow.koppels.update(koppel_id, expected_version, changes, now)
    await uow.commit()
    return _details(updated, members, assignments, scope.on)


async def delete_koppel(uow: UnitOfWork, scope: Scope, koppel_id: UUID, expected_version: int) -> None:
    """Remove a concept koppel made by mistake; an active one has history and is ended instead."""
    koppel, assignments = await reachable_koppel(uow, scope, koppel_id)
    enforce(can_manage_koppel(scope, koppel.id, wijken_on(assignments, scope.on)), NOT_FOUND)
    if koppel.status is not KoppelStatus.concept:
        raise Conflict("an active koppel keeps its history; end it by setting endsOn")
    await uow.koppels.delete(koppel_id, expected_version)
    await uow.commit()


# --- members -----------------------------------------------------------------------------------


async def _user_fitting(uow: UnitOfWork, user_id: UUID, koppel_role: KoppelRole) -> str:
    user = await uow.users.get(user_id)
    if user is None or not user.active:
        raise InvalidInput.field("userId", "no such active staff account", code="unknown_reference")
    if user.role.value != koppel_role.value:
        raise InvalidInput.field(
            "koppelRole",
            f"a {koppel_role.value} in a koppel must be a user with role {koppel_role.value}, not {user.role.value}",
            code="role_mismatch",
        )
    organisation = await uow.organisations.get(user.organisation_id)
    if organisation is None or organisation.kind not in ROLE_ORGANISATION_KINDS[Role(koppel_role.value)]:
        raise InvalidInput.field(
            "koppelRole",
            f"the user's organisation cannot provide a {koppel_role.value}",
            code="role_mismatch",
        )
    return user.display_name


def _check_no_overlap(periods: Iterable[Period], candidate: Period, what: str) -> None:
    if any(candidate.overlaps(p) for p in periods):
        raise Conflict(f"{what} overlaps an existing period")


async def add_member(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, data: NewMember, now: datetime
) -> Membership:
    """Add a member from `joined_on` (default today); their role and organisation must fit."""
    koppel = await _manageable(uow, scope, koppel_id, now)
    display_name = await _user_fitting(uow, data.user_id, data.koppel_role)
    membership = Membership(
        id=uuid4(),
        koppel_id=koppel.id,
        user_id=data.user_id,
        koppel_role=data.koppel_role,
        joined_on=data.joined_on or scope.on,
        left_on=None,
        version=1,
        created_at=now,
        updated_at=now,
        display_name=display_name,
    )
    existing = await uow.memberships.of_koppels([koppel_id])
    _check_no_overlap(
        (m.period for m in existing if m.user_id == data.user_id), membership.period, "this user's membership"
    )
    await uow.memberships.add(membership)
    await uow.commit()
    return membership


async def list_members(uow: UnitOfWork, scope: Scope, koppel_id: UUID, page: PageRequest) -> Page[Membership]:
    """Every membership of the koppel, past, present and upcoming, by joining date."""
    await reachable_koppel(uow, scope, koppel_id)
    return await uow.memberships.list(koppel_id, page)


async def get_member(uow: UnitOfWork, scope: Scope, koppel_id: UUID, membership_id: UUID) -> Membership:
    """Read one membership of a koppel in scope."""
    await reachable_koppel(uow, scope, koppel_id)
    membership = await uow.memberships.get(membership_id)
    if membership is None or membership.koppel_id != koppel_id:
        raise NotFound(MEMBER_NOT_FOUND)
    return membership


async def update_member(
    uow: UnitOfWork,
    scope: Scope,
    koppel_id: UUID,
    membership_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Membership:
    """End a membership (`left_on`; from that day on the member has no access) or correct its dates."""
    koppel = await _manageable(uow, scope, koppel_id, now)
    members = await uow.memberships.of_koppels([koppel_id])
    current = next((m for m in members if m.id == membership_id), None)
    if current is None:
        raise NotFound(MEMBER_NOT_FOUND)
    candidate = replace(current, **changes)
    check_period(candidate.period, "leftOn")
    _check_no_overlap(
        (m.period for m in members if m.user_id == current.user_id and m.id != current.id),
        candidate.period,
        "this user's membership",
    )
    if koppel.status is KoppelStatus.actief:
        check_complete([candidate if m.id == current.id else m for m in members], koppel.period, scope.on)
    updated = await uow.memberships.update(membership_id, expected_version, changes, now)
    await uow.commit()
    return replace(updated, display_name=current.display_name)


# --- wijken of a koppel ------------------------------------------------------------------------


async def add_assignment(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, data: NewAssignment, now: datetime
) -> WijkAssignment:
    """Let the koppel work in a wijk from `starts_on` (default today)."""
    koppel = await _manageable(uow, scope, koppel_id, now)
    wijk = await uow.wijken.get(data.wijk_id)
    if wijk is None:
        raise InvalidInput.field("wijkId", "no such wijk", code="unknown_reference")
    if not wijk.active:
        raise InvalidInput.field("wijkId", "the wijk is deactivated", code="inactive_reference")
    assignment = WijkAssignment(
        id=uuid4(),
        koppel_id=koppel.id,
        wijk_id=wijk.id,
        starts_on=data.starts_on or scope.on,
        ends_on=data.ends_on,
        version=1,
        created_at=now,
        updated_at=now,
        wijk_code=wijk.code,
        wijk_name=wijk.name,
    )
    check_period(assignment.period, "endsOn")
    existing = await uow.assignments.of_koppels([koppel_id])
    _check_no_overlap(
        (a.period for a in existing if a.wijk_id == wijk.id), assignment.period, "this wijk's assignment"
    )
    await uow.assignments.add(assignment)
    await uow.commit()
    return assignment


async def list_assignments(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, page: PageRequest
) -> Page[WijkAssignment]:
    """Every wijk the koppel worked, works or will work in, by start date."""
    await reachable_koppel(uow, scope, koppel_id)
    return await uow.assignments.list(koppel_id, page)


async def get_assignment(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, assignment_id: UUID
) -> WijkAssignment:
    """Read one wijk assignment of a koppel in scope."""
    _, assignments = await reachable_koppel(uow, scope, koppel_id)
    found = next((a for a in assignments if a.id == assignment_id), None)
    if found is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    return found


async def update_assignment(
    uow: UnitOfWork,
    scope: Scope,
    koppel_id: UUID,
    assignment_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> WijkAssignment:
    """End the koppel's work in a wijk (`ends_on`) or correct the dates."""
    await _manageable(uow, scope, koppel_id, now)
    assignments = await uow.assignments.of_koppels([koppel_id])
    current = next((a for a in assignments if a.id == assignment_id), None)
    if current is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    candidate = replace(current, **changes)
    check_period(candidate.period, "endsOn")
    _check_no_overlap(
        (a.period for a in assignments if a.wijk_id == current.wijk_id and a.id != current.id),
        candidate.period,
        "this wijk's assignment",
    )
    updated = await uow.assignments.update(assignment_id, expected_version, changes, now)
    await uow.commit()
    return replace(updated, wijk_code=current.wijk_code, wijk_name=current.wijk_name)


# --- history -----------------------------------------------------------------------------------


async def who_worked(uow: UnitOfWork, scope: Scope, wijk_id: UUID, on: date) -> list[WorkedWijk]:
    """The members of the koppels that were active in the wijk on day `on`."""
    wijk = await uow.wijken.get(wijk_id)
    if wijk is None:
        raise NotFound("wijk not found")
    enforce(can_read_who_worked(scope, wijk.id), "wijk not found")
    koppels = {k.id: k for k in await uow.koppels.working_in(wijk_id, on) if k.is_active_on(on)}
    members = await uow.memberships.of_koppels(list(koppels)) if koppels else []
    return [
        WorkedWijk(m.koppel_id, koppels[m.koppel_id].name, m)
        for m in sorted(
            members, key=lambda m: (koppels[m.koppel_id].name, m.koppel_role.value, m.display_name)
        )
        if m.period.covers(on)
    ]
