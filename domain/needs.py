"""Needs (vragen) and matching them with offers (aanbod): schakelen tussen vraag en aanbod.

A need is what a resident — or the street as a whole, without a resident — needs help with: a
category, a description and an urgency, recorded by a koppel working in the wijk. A need that
names a resident is personal data: every create, read and change is audited, the resident's
export lists it, and an erasure removes its description and the link to the resident (category,
urgency, wijk and dates stay for statistics).

Matching ranks the offers that could answer a need and says why each was suggested: the category
(exactly, or a related one), the area served (this wijk by name, or the whole municipality),
availability, the places left — and whether a neighbour from the same wijk volunteers it (the
seeds' neighbour with a financial background). `rank_offers` is a pure function; the repository
only fetches the candidates (offers serving the wijk, in a fitting category, not archived).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.audit import Access, AuditAction, AuditEvent, RecordKind, events_for
from domain.casework import Actor, Priority, check_version, required_text, wijk_for_new_work
from domain.categories import NeedCategory as C
from domain.contact_moments import own_koppel_in_wijk, residents_of_wijk
from domain.errors import InvalidInput, NotFound
from domain.offers import Offer
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.referral_policies import can_list_needs, can_work_with_needs
from domain.residents import has_control_characters
from domain.scope import Scope, enforce

NOT_FOUND = "need not found"
MAX_DESCRIPTION = 5000
NEED_FIELDS = ("category", "description", "urgency")
MAX_MATCHES = 50

# Categories close enough that an offer for one may help with the other (both directions).
RELATED: Mapping[C, frozenset[C]] = {
    C.financien: frozenset({C.schulden, C.werk_inkomen}),
    C.schulden: frozenset({C.financien, C.juridisch}),
    C.werk_inkomen: frozenset({C.financien, C.taal}),
    C.zorg: frozenset({C.ggz}),
    C.ggz: frozenset({C.zorg, C.eenzaamheid}),
    C.eenzaamheid: frozenset({C.buurtinitiatief, C.ggz}),
    C.buurtinitiatief: frozenset({C.eenzaamheid}),
    C.taal: frozenset({C.werk_inkomen}),
    C.wonen: frozenset({C.burenconflict}),
    C.burenconflict: frozenset({C.veiligheid, C.wonen}),
    C.veiligheid: frozenset({C.burenconflict}),
    C.juridisch: frozenset({C.schulden}),
    C.opvoeding: frozenset(),
}

# Points of a match; the score is their sum, clamped to 0–100.
CATEGORY_POINTS = 50
RELATED_POINTS = 25
WIJK_POINTS = 20
MUNICIPALITY_POINTS = 10
NEIGHBOUR_POINTS = 15
PLACES_POINTS = 10
NO_PLACES_POINTS = -30
UNAVAILABLE_POINTS = -50


@dataclass(frozen=True)
class Need:
    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    resident_id: UUID | None
    category: C
    description: str | None  # None only after an erasure removed it
    urgency: Priority
    recorded_by: Actor
    redacted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def resident_ids(self) -> frozenset[UUID]:
        return frozenset({self.resident_id}) if self.resident_id else frozenset()


@dataclass(frozen=True)
class NewNeed:
    wijk_id: UUID
    koppel_id: UUID
    category: C
    description: str
    urgency: Priority = Priority.normaal
    resident_id: UUID | None = None


@dataclass(frozen=True)
class NeedFilter:
    wijk_id: UUID | None = None
    koppel_id: UUID | None = None
    category: C | None = None
    urgency: Priority | None = None
    resident_id: UUID | None = None


# --- matching ----------------------------------------------------------------------------------


def fitting_categories(category: C) -> frozenset[C]:
    """The need's own category and the related ones an offer may help with."""
    return frozenset({category}) | RELATED.get(category, frozenset())


@dataclass(frozen=True)
class Candidate:
    """An offer that could answer a need, with the wijk of its volunteering neighbour (if any)."""

    offer: Offer
    volunteer_wijk_id: UUID | None = None


@dataclass(frozen=True)
class Match:
    offer: Offer
    score: int
    reasons: tuple[str, ...]
    neighbour: bool  # volunteered by a neighbour from the need's wijk


def places_phrase(places: int) -> str:
    """'1 place left', '2 places left', 'no places left'."""
    if places == 0:
        return "no places left"
    return f"{places} place left" if places == 1 else f"{places} places left"


def score_offer(need_category: C, wijk_id: UUID, candidate: Candidate) -> Match | None:
    """The score of one offer for a need in `wijk_id`, with the reasons; None when it cannot help
    (no fitting category, or it does not serve the wijk)."""
    offer = candidate.offer
    points = 0
    reasons: list[str] = []
    if need_category in offer.categories:
        points += CATEGORY_POINTS
        reasons.append(f"category {need_category}")
    else:
        related = sorted(offer.categories & RELATED.get(need_category, frozenset()))
        if not related:
            return None
        points += RELATED_POINTS
        reasons.append(f"related category {related[0]}")
    if wijk_id in offer.wijk_ids:
        points += WIJK_POINTS
        reasons.append("serves this wijk")
    elif offer.municipality_code is not None:
        points += MUNICIPALITY_POINTS
        reasons.append(f"serves all of {offer.municipality_code}")
    else:
        return None
    neighbour = offer.volunteer_resident_id is not None and candidate.volunteer_wijk_id == wijk_id
    if neighbour:
        points += NEIGHBOUR_POINTS
        reasons.append("a neighbour from this wijk volunteers")
    if not offer.available:
        points += UNAVAILABLE_POINTS
        reasons.append("not available at the moment")
    if offer.capacity is None:
        reasons.append("no fixed number of places")
    elif offer.capacity > 0:
        points += PLACES_POINTS
        reasons.append(places_phrase(offer.capacity))
    else:
        points += NO_PLACES_POINTS
        reasons.append(places_phrase(0))
    return Match(offer, max(0, min(100, points)), tuple(reasons), neighbour)


def rank_offers(need_category: C, wijk_id: UUID, candidates: Iterable[Candidate], limit: int = MAX_MATCHES) -> list[Match]:
    """The offers that can help, best first (score, then title, then id: a stable order)."""
    matches = [m for m in (score_offer(need_category, wijk_id, c) for c in candidates) if m is not None]
    matches.sort(key=lambda m: (-m.score, m.offer.title, str(m.offer.id)))
    return matches[:limit]


# --- rules -------------------------------------------------------------------------------------


def check_description(description: str | None) -> str:
    """A description is present, bounded and free of control characters; returned trimmed."""
    text = required_text(description, "description", "describe the need")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput.field("description", f"at most {MAX_DESCRIPTION} characters", code="too_long")
    if has_control_characters(text):
        raise InvalidInput.field("description", "must not contain control characters", code="control_characters")
    return text


def _events(access: Access, action: AuditAction, need: Need, now: datetime, fields: Iterable[str] = NEED_FIELDS) -> list[AuditEvent]:
    return events_for(
        access.actor, action, need.resident_ids, now, record_kind=RecordKind.need, record_id=need.id, fields=fields
    )


# --- use cases ---------------------------------------------------------------------------------


async def record_need(uow: UnitOfWork, access: Access, data: NewNeed, now: datetime) -> Need:
    """Record a need in one of the caller's wijken, for one of their koppels, optionally for a resident."""
    scope = access.scope
    wijk = await wijk_for_new_work(uow, can_work_with_needs(scope, data.wijk_id), data.wijk_id)
    await own_koppel_in_wijk(uow, scope, data.koppel_id, wijk.id)
    if data.resident_id is not None:
        await residents_of_wijk(uow, [data.resident_id], wijk.id, "residentId")
    need = Need(
        id=uuid4(),
        wijk_id=wijk.id,
        koppel_id=data.koppel_id,
        resident_id=data.resident_id,
        category=data.category,
        description=check_description(data.description),
        urgency=data.urgency,
        recorded_by=Actor.of(scope.principal),
        redacted_at=None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.needs.add(need)
    if need.resident_id is not None:
        await uow.residents.touch_activity(need.resident_id, now)
    await uow.audit.append(_events(access, AuditAction.create, need, now))
    stored = await uow.needs.get(need.id)
    await uow.commit()
    assert stored is not None
    return stored


async def reachable_need(uow: UnitOfWork, scope: Scope, need_id: UUID) -> Need:
    """The need when the caller works in its wijk; NotFound otherwise."""
    need = await uow.needs.get(need_id)
    if need is None:
        raise NotFound(NOT_FOUND)
    enforce(can_work_with_needs(scope, need.wijk_id), NOT_FOUND)
    return need


async def get_need(uow: UnitOfWork, access: Access, need_id: UUID, now: datetime) -> Need:
    """Read one need; a need naming a resident is audited before it is returned."""
    need = await reachable_need(uow, access.scope, need_id)
    if need.resident_id is not None:
        await uow.audit.append(_events(access, AuditAction.read, need, now))
        await uow.commit()
    return need


async def list_needs(uow: UnitOfWork, access: Access, page: PageRequest, filters: NeedFilter, now: datetime) -> Page[Need]:
    """The needs of the caller's wijken, oldest first; one audit event per resident named on the page."""
    scope = access.scope
    enforce(can_list_needs(scope), NOT_FOUND)
    result = await uow.needs.list(scope.wijk_ids, page, filters)
    events = [e for n in result.items for e in _events(access, AuditAction.read, n, now)]
    if events:
        await uow.audit.append(events)
        await uow.commit()
    return result


async def update_need(
    uow: UnitOfWork, access: Access, need_id: UUID, expected_version: int, changes: Mapping[str, Any], now: datetime
) -> Need:
    """Correct a need's category, description or urgency."""
    current = await reachable_need(uow, access.scope, need_id)
    check_version(current.version, expected_version)
    candidate = replace(current, **changes)
    candidate = replace(candidate, description=check_description(candidate.description))
    names = {"category": "category", "description": "description", "urgency": "urgency"}
    changed = [wire for name, wire in names.items() if getattr(current, name) != getattr(candidate, name)]
    updated = await uow.needs.save(candidate, expected_version, now)
    if updated.resident_id is not None:
        await uow.residents.touch_activity(updated.resident_id, now)
    await uow.audit.append(_events(access, AuditAction.update, updated, now, fields=changed))
    await uow.commit()
    return updated


async def match_need(uow: UnitOfWork, scope: Scope, need_id: UUID, limit: int = MAX_MATCHES) -> tuple[Need, list[Match]]:
    """The offers that could answer the need, ranked and explained (no personal data: no audit)."""
    need = await reachable_need(uow, scope, need_id)
    wijk = await uow.wijken.get(need.wijk_id)
    assert wijk is not None  # a need's wijk is never deleted
    candidates = await uow.needs.offer_candidates(wijk.id, wijk.municipality_code, fitting_categories(need.category))
    return need, rank_offers(need.category, wijk.id, candidates, limit)
