"""What a principal may reach, computed once per request, and the policies that read it.

One pure function, `compute_scope`, turns a principal and the facts loaded for it (at most one
query, see `load_scope`) into a frozen `Scope`. Repositories filter lists by that Scope and use
cases ask the policy functions below about single resources, so a list never contains what a
direct read would refuse.

A policy answers with a `Decision`: allowed; out of scope (the resource does not exist for this
principal: 404, so existence does not leak); or forbidden (in scope but without the right: 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from domain.dates import Period
from domain.errors import Forbidden, NotFound
from domain.identity import KOPPEL_ROLES, Principal, Role

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True)
class MembershipFact:
    """One membership of the principal in a koppel, with that koppel's active period."""

    koppel_id: UUID
    member: Period
    koppel: Period | None  # None while the koppel is a concept (never active)


@dataclass(frozen=True)
class AssignmentFact:
    """One period in which a koppel of the principal works in a wijk."""

    koppel_id: UUID
    wijk_id: UUID
    municipality_code: str
    period: Period


@dataclass(frozen=True)
class ReachableWijk:
    wijk_id: UUID
    municipality_code: str


@dataclass(frozen=True)
class ScopeFacts:
    """The raw facts behind a scope, as one repository query returns them."""

    memberships: tuple[MembershipFact, ...] = ()
    assignments: tuple[AssignmentFact, ...] = ()
    wijken: tuple[ReachableWijk, ...] = ()
    municipality_code: str | None = None


@dataclass(frozen=True)
class Scope:
    """What `principal` may reach on day `on`. Only `compute_scope` makes one.

    - `reaches_all`: the admin's reach over the map and the catalogue (wijken, koppels, offers);
      it never extends to residents' personal data.
    - `wijk_ids`: the wijken the principal works in or oversees today.
    - `municipality_codes`: the municipalities of those wijken (offers for a whole municipality).
    - `koppel_ids`: the koppels the principal is a member of today (active or still a concept).
    - `own_organisation_only`: agency workers see only what concerns their own organisation.
    """

    principal: Principal
    on: date
    reaches_all: bool = False
    wijk_ids: frozenset[UUID] = frozenset()
    municipality_codes: frozenset[str] = frozenset()
    koppel_ids: frozenset[UUID] = frozenset()
    own_organisation_only: bool = False

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def organisation_id(self) -> UUID:
        return self.principal.organisation_id

    @property
    def koppel_wijk_ids(self) -> frozenset[UUID]:
        """Wijken through which koppels are visible: koppel members see their colleagues in the same
        wijk, a gemeente sees who works in its wijken; agency workers and systems see no koppels."""
        if self.role in KOPPEL_ROLES or self.role is Role.gemeente:
            return self.wijk_ids
        return frozenset()


def compute_scope(principal: Principal, facts: ScopeFacts, on: date) -> Scope:
    """The single definition of who reaches what on day `on`."""
    role = principal.role
    if role is Role.admin:
        return Scope(principal, on, reaches_all=True)
    if role in KOPPEL_ROLES:
        member_of = {f.koppel_id for f in facts.memberships if f.member.covers(on)}
        working = {
            f.koppel_id
            for f in facts.memberships
            if f.member.covers(on) and f.koppel is not None and f.koppel.covers(on)
        }
        wijken = [a for a in facts.assignments if a.koppel_id in working and a.period.covers(on)]
        return Scope(
            principal,
            on,
            wijk_ids=frozenset(a.wijk_id for a in wijken),
            municipality_codes=frozenset(a.municipality_code for a in wijken),
            koppel_ids=frozenset(member_of),
        )
    if role is Role.gemeente:
        codes = {facts.municipality_code} if facts.municipality_code else set()
        return Scope(
            principal,
            on,
            wijk_ids=frozenset(w.wijk_id for w in facts.wijken if w.municipality_code in codes),
            municipality_codes=frozenset(codes),
        )
    if role is Role.agency_worker:
        return Scope(
            principal,
            on,
            wijk_ids=frozenset(w.wijk_id for w in facts.wijken),
            municipality_codes=frozenset(w.municipality_code for w in facts.wijken),
            own_organisation_only=True,
        )
    if role is Role.privacy_officer:
        # The privacy desk reaches no map and no casework; it reaches residents only to answer their
        # requests (export, erasure) and the audit trail (see domain.residents).
        return Scope(principal, on)
    if role is Role.housing_system:
        # A corporation's system submits signals in the wijken its organisation serves (its service
        # areas) and reads back only its own organisation's signals.
        return Scope(
            principal,
            on,
            wijk_ids=frozenset(w.wijk_id for w in facts.wijken),
            municipality_codes=frozenset(w.municipality_code for w in facts.wijken),
            own_organisation_only=True,
        )
    # The police's system reaches only what is addressed to its organisation; no wijken.
    return Scope(principal, on, own_organisation_only=True)


async def load_scope(uow: UnitOfWork, principal: Principal, on: date) -> Scope:
    """Load the facts a role's scope rests on (at most one query) and compute the scope."""
    role = principal.role
    if role in KOPPEL_ROLES:
        facts = await uow.scope.koppel_facts(principal.id)
    elif role is Role.gemeente:
        facts = await uow.scope.municipality_facts(principal.organisation_id)
    elif role is Role.agency_worker:
        facts = await uow.scope.offer_facts(principal.organisation_id)
    elif role is Role.housing_system:
        facts = await uow.scope.service_area_facts(principal.organisation_id)
    else:
        facts = ScopeFacts()
    return compute_scope(principal, facts, on)


# --- decisions ---------------------------------------------------------------------------------


class Outcome(StrEnum):
    allowed = "allowed"
    out_of_scope = "out_of_scope"
    forbidden = "forbidden"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.allowed


ALLOWED = Decision(Outcome.allowed)


def _hidden(reason: str) -> Decision:
    return Decision(Outcome.out_of_scope, reason)


def _forbidden(reason: str) -> Decision:
    return Decision(Outcome.forbidden, reason)


def enforce(decision: Decision, not_found: str) -> None:
    """Raise NotFound (out of scope, with the same text as a missing resource) or Forbidden."""
    if decision.outcome is Outcome.out_of_scope:
        raise NotFound(not_found)
    if decision.outcome is Outcome.forbidden:
        raise Forbidden(decision.reason)


# --- wijken ------------------------------------------------------------------------------------


def can_read_wijk(scope: Scope, wijk_id: UUID) -> Decision:
    """Every role reads the wijken in its scope."""
    if scope.reaches_all or wijk_id in scope.wijk_ids:
        return ALLOWED
    return _hidden("the wijk is outside your scope")


def can_manage_wijk(scope: Scope, wijk_id: UUID | None) -> Decision:
    """Only an admin creates and changes wijken (`wijk_id` None: creating one)."""
    if wijk_id is not None and not can_read_wijk(scope, wijk_id).allowed:
        return can_read_wijk(scope, wijk_id)
    if scope.role is Role.admin:
        return ALLOWED
    return _forbidden("only an admin manages wijken")


# --- koppels and presence ----------------------------------------------------------------------


def can_read_koppel(scope: Scope, koppel_id: UUID, wijk_ids_today: Iterable[UUID]) -> Decision:
    """Admin; the koppel's own members; koppel members and gemeente of a wijk it works in today."""
    if scope.reaches_all or koppel_id in scope.koppel_ids:
        return ALLOWED
    if scope.koppel_wijk_ids.intersection(wijk_ids_today):
        return ALLOWED
    return _hidden("the koppel is outside your scope")


def can_manage_koppel(scope: Scope, koppel_id: UUID | None, wijk_ids_today: Iterable[UUID] = ()) -> Decision:
    """Only an admin composes koppels: members, wijken, period, status (`koppel_id` None: creating)."""
    if koppel_id is not None:
        readable = can_read_koppel(scope, koppel_id, wijk_ids_today)
        if not readable.allowed:
            return readable
    if scope.role is Role.admin:
        return ALLOWED
    return _forbidden("only an admin composes koppels")


def can_manage_presence(scope: Scope, koppel_id: UUID, wijk_ids_today: Iterable[UUID]) -> Decision:
    """A koppel plans its own presence: its members (and the admin), not colleagues of other koppels."""
    readable = can_read_koppel(scope, koppel_id, wijk_ids_today)
    if not readable.allowed:
        return readable
    if scope.reaches_all or koppel_id in scope.koppel_ids:
        return ALLOWED
    return _forbidden("only the koppel's own members plan its presence")


def can_read_who_worked(scope: Scope, wijk_id: UUID) -> Decision:
    """Who worked a wijk on a day is staff information, readable for the wijken in scope."""
    if scope.principal.is_system:
        return _forbidden("systems do not read koppel composition")
    return can_read_wijk(scope, wijk_id)


# --- offers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferReach:
    """The parts of an offer that decide who reaches it."""

    provider_organisation_id: UUID | None
    wijk_ids: frozenset[UUID]
    municipality_code: str | None


def can_read_offer(scope: Scope, offer: OfferReach) -> Decision:
    """Admin all; agency workers their own organisation's offers; koppel members the offers serving
    their wijken (or the whole municipality of one of them)."""
    if scope.reaches_all:
        return ALLOWED
    if scope.role is Role.agency_worker:
        if offer.provider_organisation_id == scope.organisation_id:
            return ALLOWED
        return _hidden("the offer is outside your scope")
    if scope.role in KOPPEL_ROLES:
        if scope.wijk_ids & offer.wijk_ids:
            return ALLOWED
        if offer.municipality_code is not None and offer.municipality_code in scope.municipality_codes:
            return ALLOWED
    return _hidden("the offer is outside your scope")


def can_manage_offer(scope: Scope, current: OfferReach | None, proposed: OfferReach | None) -> Decision:
    """Admin; koppel members for offers that serve only wijken of their own koppels. An offer for a
    whole municipality affects every koppel there, so only an admin manages that."""
    if current is not None:
        readable = can_read_offer(scope, current)
        if not readable.allowed:
            return readable
    if scope.role is Role.admin:
        return ALLOWED
    if scope.role not in KOPPEL_ROLES:
        return _forbidden("only an admin or koppel members manage offers")
    for reach in (current, proposed):
        if reach is None:
            continue
        if reach.municipality_code is not None:
            return _forbidden("only an admin manages offers for a whole municipality")
        if not reach.wijk_ids <= scope.wijk_ids:
            return _forbidden("the offer serves wijken outside your koppels")
    return ALLOWED
