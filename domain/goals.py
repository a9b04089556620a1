"""Shared goals (gezamenlijke doelen) of the partners in a wijk and their quarterly reviews.

Per wijk and year the partners keep at most three active goals, each with an indicator and a target.
The limit holds under concurrent writers too: an active goal takes one of three numbered places
(`active_place`), unique per wijk and year in the store, so a fourth active goal cannot be stored
even when two requests race. A goal that is achieved or dropped frees its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.casework import Actor, TransitionTable, check_version, optional_text, required_text
from domain.casework_policies import can_manage_goals, can_read_goals
from domain.errors import Conflict, InvalidInput, NotFound
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, enforce

NOT_FOUND = "goal not found"
REVIEW_NOT_FOUND = "review not found"
WIJK_NOT_FOUND = "wijk not found"
MAX_ACTIVE_GOALS = 3
ACTIVE_PLACES = tuple(range(1, MAX_ACTIVE_GOALS + 1))
MAX_PARTNERS = 20
MAX_TEXT = 2000
YEARS = (2000, 2100)


class GoalStatus(StrEnum):
    active = "active"
    achieved = "achieved"
    dropped = "dropped"


GOAL_TRANSITIONS: TransitionTable[GoalStatus] = TransitionTable(
    "goal",
    {
        GoalStatus.active: frozenset({GoalStatus.achieved, GoalStatus.dropped}),
        # taken up again (it needs a free place among the three)
        GoalStatus.achieved: frozenset({GoalStatus.active}),
        GoalStatus.dropped: frozenset({GoalStatus.active}),
    },
)


@dataclass(frozen=True)
class Target:
    value: float
    unit: str


@dataclass(frozen=True)
class Goal:
    id: UUID
    wijk_id: UUID
    year: int
    title: str
    indicator: str
    target: Target
    partner_ids: frozenset[UUID]
    status: GoalStatus
    active_place: int | None  # 1..3 while active, None otherwise
    created_by: Actor
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Review:
    id: UUID
    goal_id: UUID
    year: int
    quarter: int
    value: float
    note: str | None
    recorded_by: Actor
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewGoal:
    year: int
    title: str
    indicator: str
    target: Target
    partner_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class NewReview:
    year: int
    quarter: int
    value: float
    note: str | None = None


@dataclass(frozen=True)
class GoalFilter:
    year: int | None = None
    status: GoalStatus | None = None


# --- rules -------------------------------------------------------------------------------------


def free_place(taken: Iterable[int]) -> int:
    """The first free place among the three for another active goal; 409 when all are taken."""
    used = set(taken)
    for place in ACTIVE_PLACES:
        if place not in used:
            return place
    raise Conflict(f"the wijk already has {MAX_ACTIVE_GOALS} active goals this year; achieve or drop one first")


def check_goal(goal: Goal) -> Goal:
    """Year in range; title, indicator and unit present and bounded; a few partners."""
    if not YEARS[0] <= goal.year <= YEARS[1]:
        raise InvalidInput.field("year", f"must lie between {YEARS[0]} and {YEARS[1]}", code="range")
    title = required_text(goal.title, "title", "give the goal a title")
    indicator = required_text(goal.indicator, "indicator", "say what is measured")
    unit = required_text(goal.target.unit, "target.unit", "say in what unit the target is counted")
    for name, value, limit in (("title", title, 200), ("indicator", indicator, MAX_TEXT), ("target.unit", unit, 50)):
        if len(value) > limit:
            raise InvalidInput.field(name, f"at most {limit} characters", code="too_long")
    if len(goal.partner_ids) > MAX_PARTNERS:
        raise InvalidInput.field("partnerIds", f"at most {MAX_PARTNERS} partners", code="too_long")
    return replace(goal, title=title, indicator=indicator, target=replace(goal.target, unit=unit))


def quarter_of(day: date) -> int:
    """The quarter (1–4) `day` falls in."""
    return (day.month - 1) // 3 + 1


def check_review(goal: Goal, year: int, quarter: int, note: str | None, today: date) -> str | None:
    """A review looks back on a quarter of the goal's year that has begun; returns the trimmed note."""
    if year != goal.year:
        raise InvalidInput.field("year", f"the goal is for {goal.year}", code="other_year")
    if not 1 <= quarter <= 4:
        raise InvalidInput.field("quarter", "must be 1, 2, 3 or 4", code="range")
    if (year, quarter) > (today.year, quarter_of(today)):
        raise InvalidInput.field("quarter", "that quarter has not begun yet", code="future")
    text = optional_text(note)
    if text is not None and len(text) > MAX_TEXT:
        raise InvalidInput.field("note", f"at most {MAX_TEXT} characters", code="too_long")
    return text


# --- use cases ---------------------------------------------------------------------------------


async def _wijk_in_reach(uow: UnitOfWork, scope: Scope, wijk_id: UUID, *, manage: bool) -> None:
    if wijk_id not in await uow.wijken.existing([wijk_id]):
        raise NotFound(WIJK_NOT_FOUND)
    enforce((can_manage_goals if manage else can_read_goals)(scope, wijk_id), WIJK_NOT_FOUND)


async def _check_partners(uow: UnitOfWork, partner_ids: frozenset[UUID]) -> None:
    for organisation_id in sorted(partner_ids, key=str):
        organisation = await uow.organisations.get(organisation_id)
        if organisation is None or not organisation.active:
            raise InvalidInput.field(
                "partnerIds", f"no such active organisation: {organisation_id}", code="unknown_reference"
            )


async def create_goal(uow: UnitOfWork, scope: Scope, wijk_id: UUID, data: NewGoal, now: datetime) -> Goal:
    """Set an active goal for the wijk and year; at most three are active at once (409)."""
    await _wijk_in_reach(uow, scope, wijk_id, manage=True)
    goal = check_goal(
        Goal(
            id=uuid4(),
            wijk_id=wijk_id,
            year=data.year,
            title=data.title,
            indicator=data.indicator,
            target=data.target,
            partner_ids=frozenset(data.partner_ids),
            status=GoalStatus.active,
            active_place=None,
            created_by=Actor.of(scope.principal),
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    await _check_partners(uow, goal.partner_ids)
    goal = replace(goal, active_place=free_place(await uow.goals.active_places(wijk_id, goal.year)))
    await uow.goals.add(goal)
    stored = await uow.goals.get(goal.id)  # as every read shows it
    await uow.commit()
    assert stored is not None
    return stored


async def get_goal(uow: UnitOfWork, scope: Scope, wijk_id: UUID, goal_id: UUID) -> Goal:
    """Read one goal of a wijk in scope."""
    await _wijk_in_reach(uow, scope, wijk_id, manage=False)
    goal = await uow.goals.get(goal_id)
    if goal is None or goal.wijk_id != wijk_id:
        raise NotFound(NOT_FOUND)
    return goal


async def list_goals(
    uow: UnitOfWork, scope: Scope, wijk_id: UUID, page: PageRequest, filters: GoalFilter
) -> Page[Goal]:
    """The wijk's goals by year and title; filter by year and status."""
    await _wijk_in_reach(uow, scope, wijk_id, manage=False)
    return await uow.goals.list(wijk_id, page, filters)


async def update_goal(
    uow: UnitOfWork,
    scope: Scope,
    wijk_id: UUID,
    goal_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Goal:
    """Change title, indicator, target or partners, or the status (achieved, dropped, active again)."""
    current = await get_goal(uow, scope, wijk_id, goal_id)
    enforce(can_manage_goals(scope, wijk_id), WIJK_NOT_FOUND)
    check_version(current.version, expected_version)
    candidate = check_goal(replace(current, **changes))
    if "partner_ids" in changes:
        await _check_partners(uow, candidate.partner_ids - current.partner_ids)
    if candidate.status is not current.status:
        GOAL_TRANSITIONS.check(current.status, candidate.status)
        if candidate.status is GoalStatus.active:
            place = free_place(await uow.goals.active_places(wijk_id, current.year))
            candidate = replace(candidate, active_place=place)
        else:
            candidate = replace(candidate, active_place=None)
    updated = await uow.goals.save(candidate, expected_version, now)
    await uow.commit()
    return updated


# --- reviews -----------------------------------------------------------------------------------


async def create_review(
    uow: UnitOfWork, scope: Scope, wijk_id: UUID, goal_id: UUID, data: NewReview, now: datetime
) -> Review:
    """Record the quarter's value and note; one review per goal and quarter (409 for a second)."""
    goal = await get_goal(uow, scope, wijk_id, goal_id)
    enforce(can_manage_goals(scope, wijk_id), WIJK_NOT_FOUND)
    note = check_review(goal, data.year, data.quarter, data.note, scope.on)
    if await uow.reviews.find(goal_id, data.year, data.quarter) is not None:
        raise Conflict(f"the goal already has a review for {data.year} Q{data.quarter}; change that one")
    review = Review(
        id=uuid4(),
        goal_id=goal_id,
        year=data.year,
        quarter=data.quarter,
        value=data.value,
        note=note,
        recorded_by=Actor.of(scope.principal),
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.reviews.add(review)
    stored = await uow.reviews.get(review.id)  # as every read shows it
    await uow.commit()
    assert stored is not None
    return stored


async def list_reviews(
    uow: UnitOfWork, scope: Scope, wijk_id: UUID, goal_id: UUID, page: PageRequest
) -> Page[Review]:
    """The goal's reviews by quarter."""
    await get_goal(uow, scope, wijk_id, goal_id)
    return await uow.reviews.list(goal_id, page)


async def get_review(uow: UnitOfWork, scope: Scope, wijk_id: UUID, goal_id: UUID, review_id: UUID) -> Review:
    """Read one review of a goal in scope."""
    await get_goal(uow, scope, wijk_id, goal_id)
    review = await uow.reviews.get(review_id)
    if review is None or review.goal_id != goal_id:
        raise NotFound(REVIEW_NOT_FOUND)
    return review


async def update_review(
    uow: UnitOfWork,
    scope: Scope,
    wijk_id: UUID,
    goal_id: UUID,
    review_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Review:
    """Correct a review's value or note."""
    current = await get_review(uow, scope, wijk_id, goal_id, review_id)
    enforce(can_manage_goals(scope, wijk_id), WIJK_NOT_FOUND)
    check_version(current.version, expected_version)
    candidate = replace(current, **changes)
    if "note" in changes:
        candidate = replace(candidate, note=optional_text(candidate.note))
        if candidate.note is not None and len(candidate.note) > MAX_TEXT:
            raise InvalidInput.field("note", f"at most {MAX_TEXT} characters", code="too_long")
    updated = await uow.reviews.save(candidate, expected_version, now)
    await uow.commit()
    return updated
