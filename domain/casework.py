"""Building blocks shared by the koppel's casework: who acted, transition tables, priorities, periods.

Signals, interventions, agenda items and goals each keep their own rules in their own module; what
they have in common lives here, so a status flow is always an explicit table and a history entry
always names its actor the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar
from uuid import UUID

from domain.dates import LOCAL_ZONE
from domain.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from domain.identity import Principal, PrincipalKind
from domain.scope import Decision, Outcome

if TYPE_CHECKING:
    from domain.ports import UnitOfWork
    from domain.wijken import Wijk

S = TypeVar("S", bound=StrEnum)


class Priority(StrEnum):
    """How urgent a signal is, or how pressing an agenda item."""

    laag = "laag"
    normaal = "normaal"
    hoog = "hoog"


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user or a system client, with the name shown in histories."""

    kind: PrincipalKind
    id: UUID
    display_name: str = ""  # read with the history; empty right after the write

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor for the calling principal."""
        return cls(principal.kind, principal.id)

    @property
    def user_id(self) -> UUID | None:
        return self.id if self.kind is PrincipalKind.user else None

    @property
    def client_id(self) -> UUID | None:
        return self.id if self.kind is PrincipalKind.client else None


@dataclass(frozen=True)
class TransitionTable(Generic[S]):
    """An explicit status flow: for each status, the statuses it may move to. A status without
    onward moves is terminal (closed)."""

    what: str
    moves: Mapping[S, frozenset[S]]

    def allows(self, current: S, target: S) -> bool:
        """True when `current` → `target` is in the table."""
        return target in self.moves.get(current, frozenset())

    def is_terminal(self, status: S) -> bool:
        """True when nothing can follow `status`."""
        return not self.moves.get(status)

    def check(self, current: S, target: S) -> None:
        """Raise Conflict (409) for a move the table does not hold."""
        if self.allows(current, target):
            return
        if self.is_terminal(current):
            raise Conflict(f"the {self.what} is closed ('{current}'); its status no longer changes")
        onward = ", ".join(sorted(self.moves[current]))
        raise Conflict(f"a {self.what} cannot move from '{current}' to '{target}'; from '{current}' it can go to: {onward}")


def local_day_bounds(
    from_day: date | None, to_day: date | None, *, from_field: str, to_field: str
) -> tuple[datetime | None, datetime | None]:
    """Inclusive local days (Europe/Amsterdam) as a half-open range of instants [start, end)."""
    if from_day is not None and to_day is not None and to_day < from_day:
        raise InvalidInput.field(to_field, f"must not lie before {from_field}", code="period")
    start = datetime.combine(from_day, time(), LOCAL_ZONE) if from_day else None
    end = datetime.combine(to_day + timedelta(days=1), time(), LOCAL_ZONE) if to_day else None
    return start, end


def required_text(value: str | None, field: str, reason: str) -> str:
    """The trimmed text, or InvalidInput naming the field when it is missing or blank."""
    if value is None or not value.strip():
        raise InvalidInput.field(field, reason, code="required")
    return value.strip()


def optional_text(value: str | None) -> str | None:
    """Trimmed text, None when blank."""
    if value is None or not value.strip():
        return None
    return value.strip()


def check_version(current_version: int, expected_version: int) -> None:
    """Refuse (412) a change based on a version the caller no longer holds, before judging the change
    itself: a status move that was valid for what the caller saw is not judged against newer state."""
    if current_version != expected_version:
        raise PreconditionFailed("the resource was changed by someone else; fetch it again")


async def wijk_for_new_work(uow: UnitOfWork, decision: Decision, wijk_id: UUID) -> Wijk:
    """The wijk a new piece of casework goes in, given the policy's decision about that wijk: 403 when
    the caller may not create it at all; a wijk that does not exist, lies outside the caller's scope
    or is deactivated is a 400 on `wijkId` (reported alike, so existence does not leak)."""
    if decision.outcome is Outcome.forbidden:
        raise Forbidden(decision.reason)
    wijk = await uow.wijken.get(wijk_id)
    if wijk is None or not decision.allowed:
        raise InvalidInput.field("wijkId", "no such wijk in your scope", code="unknown_reference")
    if not wijk.active:
        raise InvalidInput.field("wijkId", "the wijk is deactivated", code="inactive_reference")
    return wijk
