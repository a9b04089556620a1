"""Referrals (toeleiden): guiding a resident's need to an offer, and the nazorg after it.

A referral goes from a need to an offer of an agency (or of a neighbour, coordinated by an
organisation) and moves through an explicit table (REFERRAL_TRANSITIONS), each move made by one
side (REFERRAL_MOVES):

    voorgesteld → aangemeld            the koppel sends it, with valid consent (below)
    aangemeld   → in_behandeling       the agency takes it up
    aangemeld   → afgewezen            the agency refuses it, saying why
    in_behandeling → afgerond          the agency finishes it
    any open    → ingetrokken          the koppel withdraws it (on the resident's behalf)

`aangemeld` needs, for every resident in the referral, a valid consent naming the receiving
organisation that covers at least their identity (domain.consents.valid_consent, asked at that
moment). A neighbour conflict (`burenconflict`) goes to mediation with exactly two residents, so
both must have consented. Sending takes a place of the offer when it has a fixed number of places
(one conditional UPDATE: never below zero, also under concurrent requests); closing gives it back.

The agency sees a referral only once it is sent and only while every resident in it has a valid
consent naming the agency; it then sees the referral, the need's category and urgency, the koppel's
note (checked for personal data before it is stored), the need's description only when every
consent covers it, and per resident exactly what their consent covers (AgencyView). Every referral
has a nazorg date (`follow_up_on`): 14 days after proposing, reset to 14 days after sending unless
the koppel gives one; the koppel records when it checked back (`followed_up_on`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.audit import Access, AuditAction, AuditEvent, RecordKind, events_for
from domain.casework import Actor, Priority, TransitionTable, check_version, optional_text, required_text
from domain.categories import NeedCategory
from domain.consents import Consent, ConsentScope, SharedResident, consented_items, shared_fields, shared_view
from domain.contact_moments import residents_of_wijk
from domain.dates import local_today
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.free_text import ensure_no_personal_data
from domain.identity import KOPPEL_ROLES
from domain.needs import Need, fitting_categories
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.referral_policies import (
    ReferralReach,
    Side,
    can_change_referral,
    can_list_referrals,
    can_move_referral,
    can_propose_referral,
    can_read_follow_ups,
    can_read_referral,
    can_read_referral_history,
)
from domain.residents import Resident, has_control_characters
from domain.scope import Outcome, Scope, can_read_offer, enforce

NOT_FOUND = "referral not found"
MAX_NOTE = 2000
MAX_REASON = 5000
FOLLOW_UP_DAYS = 14
MEDIATION_CATEGORY = NeedCategory.burenconflict
MEDIATION_PARTIES = 2
REFERRAL_FIELDS = ("note", "offerId", "status")
ERASURE_REASON = "the resident's data was erased on their request"


class ReferralStatus(StrEnum):
    voorgesteld = "voorgesteld"
    aangemeld = "aangemeld"
    in_behandeling = "in_behandeling"
    afgewezen = "afgewezen"
    afgerond = "afgerond"
    ingetrokken = "ingetrokken"


R = ReferralStatus
REFERRAL_TRANSITIONS: TransitionTable[ReferralStatus] = TransitionTable(
    "referral",
    {
        R.voorgesteld: frozenset({R.aangemeld, R.ingetrokken}),
        R.aangemeld: frozenset({R.in_behandeling, R.afgewezen, R.ingetrokken}),
        R.in_behandeling: frozenset({R.afgerond, R.ingetrokken}),
        R.afgewezen: frozenset(),
        R.afgerond: frozenset(),
        R.ingetrokken: frozenset(),
    },
)
# Who makes each move of the table: the koppel guides and withdraws, the agency answers.
REFERRAL_MOVES: Mapping[tuple[ReferralStatus, ReferralStatus], Side] = {
    (R.voorgesteld, R.aangemeld): Side.koppel,
    (R.voorgesteld, R.ingetrokken): Side.koppel,
    (R.aangemeld, R.in_behandeling): Side.agency,
    (R.aangemeld, R.afgewezen): Side.agency,
    (R.aangemeld, R.ingetrokken): Side.koppel,
    (R.in_behandeling, R.afgerond): Side.agency,
    (R.in_behandeling, R.ingetrokken): Side.koppel,
}
OPEN_STATUSES = frozenset(s for s in ReferralStatus if not REFERRAL_TRANSITIONS.is_terminal(s))
# A place of the offer is held from sending until the referral closes.
PLACE_HOLDING = frozenset({R.aangemeld, R.in_behandeling})


@dataclass(frozen=True)
class Referral:
    id: UUID
    need_id: UUID
    offer_id: UUID
    organisation_id: UUID  # the agency that receives it
    wijk_id: UUID
    koppel_id: UUID
    category: NeedCategory
    mediation: bool
    resident_ids: frozenset[UUID]
    status: ReferralStatus
    note: str | None
    rejection_reason: str | None
    withdrawal_reason: str | None
    follow_up_on: date
    followed_up_on: date | None
    holds_place: bool
    registered_at: datetime | None
    closed_at: datetime | None
    redacted_at: datetime | None
    proposed_by: Actor
    version: int
    created_at: datetime
    updated_at: datetime
    offer_title: str = ""  # read with the referral
    organisation_name: str = ""
    need_description: str | None = None  # read with the referral; shown to an agency only under consent
    need_urgency: Priority | None = None

    @property
    def closed(self) -> bool:
        return REFERRAL_TRANSITIONS.is_terminal(self.status)

    def reach(self, consented: bool) -> ReferralReach:
        return ReferralReach(self.wijk_id, self.organisation_id, self.status is not R.voorgesteld, consented)


@dataclass(frozen=True)
class ReferralStatusChange:
    """One entry of a referral's history; `actor` None: the service itself (an erasure)."""

    id: UUID
    referral_id: UUID
    from_status: ReferralStatus | None  # None: the referral was proposed
    to_status: ReferralStatus
    reason: str | None
    actor: Actor | None
    changed_at: datetime
    at_version: int


@dataclass(frozen=True)
class NewReferral:
    need_id: UUID
    offer_id: UUID
    note: str | None = None
    resident_ids: frozenset[UUID] | None = None  # a mediation names its two residents


@dataclass(frozen=True)
class ReferralMove:
    to: ReferralStatus
    reason: str | None = None
    follow_up_on: date | None = None  # only when sending (aangemeld)


@dataclass(frozen=True)
class ReferralFilter:
    wijk_id: UUID | None = None
    koppel_id: UUID | None = None
    need_id: UUID | None = None
    offer_id: UUID | None = None
    status: ReferralStatus | None = None
    resident_id: UUID | None = None


@dataclass(frozen=True)
class AgencyView:
    """What the receiving agency sees: the referral, the need's category and urgency, the koppel's
    note, the need's description only when every consent covers it, and per resident exactly what
    their consent covers."""

    referral: Referral
    residents: tuple[SharedResident, ...]
    need_description: str | None


@dataclass(frozen=True)
class FollowUp:
    """A referral whose nazorg date has come (overdue: it has passed)."""

    referral: Referral
    overdue: bool


# --- rules -------------------------------------------------------------------------------------


def side_of(current: ReferralStatus, target: ReferralStatus) -> Side:
    """The side that makes this move; Conflict (409) for a move outside the table."""
    REFERRAL_TRANSITIONS.check(current, target)
    return REFERRAL_MOVES[(current, target)]


def check_reason(target: ReferralStatus, reason: str | None) -> str | None:
    """A refusal says why; other moves may give a reason. Bounded."""
    text = (
        required_text(reason, "reason", "say why the agency refuses the referral")
        if target is R.afgewezen
        else optional_text(reason)
    )
    if text is not None and len(text) > MAX_REASON:
        raise InvalidInput.field("reason", f"at most {MAX_REASON} characters", code="too_long")
    return text


def check_note(note: str | None) -> str | None:
    """The koppel's note travels to the agency: short, and free of personal data (BSN, phone,
    e-mail, postcode with house number) — those come only through consent."""
    text = optional_text(note)
    if text is None:
        return None
    if len(text) > MAX_NOTE:
        raise InvalidInput.field("note", f"at most {MAX_NOTE} characters", code="too_long")
    if has_control_characters(text):
        raise InvalidInput.field("note", "must not contain control characters", code="control_characters")
    ensure_no_personal_data({"note": text})
    return text


def default_follow_up(day: date) -> date:
    """The nazorg date when the koppel gives none: two weeks on."""
    return day + timedelta(days=FOLLOW_UP_DAYS)


def check_follow_up_on(follow_up_on: date, today: date) -> date:
    """A nazorg date lies today or later."""
    if follow_up_on < today:
        raise InvalidInput.field("followUpOn", "the follow-up date must not lie in the past", code="past")
    return follow_up_on


def check_followed_up_on(followed_up_on: date | None, referral: Referral, today: date) -> date | None:
    """The day the koppel checked back lies between the proposal and today."""
    if followed_up_on is None:
        return None
    if followed_up_on > today:
        raise InvalidInput.field("followedUpOn", "must not lie in the future", code="future")
    if followed_up_on < local_today(referral.created_at):
        raise InvalidInput.field("followedUpOn", "must not lie before the referral was proposed", code="period")
    return followed_up_on


def referral_residents(need: Need, given: frozenset[UUID] | None) -> frozenset[UUID] | None:
    """The residents a referral is about: the need's resident; for a mediation exactly two residents
    (including the need's own resident, when it has one). None: to be checked against the wijk."""
    if need.category is MEDIATION_CATEGORY:
        if given is None or len(given) != MEDIATION_PARTIES:
            raise InvalidInput.field(
                "residentIds", "a neighbour mediation names exactly two residents", code="mediation_parties"
            )
        if need.resident_id is not None and need.resident_id not in given:
            raise InvalidInput.field(
                "residentIds", "the resident of the need is one of the two parties", code="mediation_parties"
            )
        return given
    if given is not None and given != need.resident_ids:
        raise InvalidInput.field(
            "residentIds", "only a neighbour mediation names residents; a referral is for the need's resident",
            code="not_applicable",
        )
    return need.resident_ids


def missing_consents(
    resident_ids: Iterable[UUID], consents: Iterable[Consent], organisation_id: UUID, at: datetime
) -> list[UUID]:
    """The residents without a valid consent naming `organisation_id` that covers their identity."""
    by_resident: dict[UUID, list[Consent]] = {}
    for consent in consents:
        by_resident.setdefault(consent.resident_id, []).append(consent)
    return [
        r for r in sorted(resident_ids, key=str)
        if ConsentScope.identity not in consented_items(by_resident.get(r, []), organisation_id, at)
    ]


def agency_view(
    referral: Referral, residents: Mapping[UUID, Resident], consents: Iterable[Consent], at: datetime
) -> AgencyView:
    """The agency's view of a referral it may read, built from the consents valid at `at`."""
    by_resident: dict[UUID, list[Consent]] = {}
    for consent in consents:
        by_resident.setdefault(consent.resident_id, []).append(consent)
    shared = []
    describe = bool(referral.resident_ids)
    for resident_id in sorted(referral.resident_ids, key=str):
        items = consented_items(by_resident.get(resident_id, []), referral.organisation_id, at)
        describe = describe and ConsentScope.need_description in items
        shared.append(shared_view(residents[resident_id], items))
    return AgencyView(referral, tuple(shared), referral.need_description if describe else None)


def _events(
    access: Access, action: AuditAction, referral: Referral, now: datetime, fields: Iterable[str] = REFERRAL_FIELDS
) -> list[AuditEvent]:
    return events_for(
        access.actor, action, referral.resident_ids, now,
        record_kind=RecordKind.referral, record_id=referral.id, fields=fields,
    )


def _agency_events(access: Access, view: AgencyView, now: datetime) -> list[AuditEvent]:
    purpose = f"referral {view.referral.id} under consent"
    events = []
    for shared in view.residents:
        fields = [*shared_fields(shared.scope), "referral"]
        if view.need_description is not None:
            fields.append("needDescription")
        events += events_for(
            access.actor, AuditAction.read, [shared.id], now,
            record_kind=RecordKind.referral, record_id=view.referral.id, fields=fields, purpose=purpose,
        )
    return events


# --- reading -----------------------------------------------------------------------------------


def is_agency(scope: Scope) -> bool:
    """The caller reads referrals as the receiving agency (AgencyView), not as the koppel."""
    return scope.role not in KOPPEL_ROLES


async def _consents_of(uow: UnitOfWork, referrals: Iterable[Referral]) -> list[Consent]:
    resident_ids = {r for referral in referrals for r in referral.resident_ids}
    return await uow.consents.of_residents(resident_ids) if resident_ids else []


async def _reach(uow: UnitOfWork, scope: Scope, referral: Referral, now: datetime) -> tuple[ReferralReach, list[Consent]]:
    """The referral's reach for this caller; for an agency the consents are read now, never cached."""
    if not is_agency(scope):
        return referral.reach(consented=True), []
    consents = await _consents_of(uow, [referral])
    missing = missing_consents(referral.resident_ids, consents, referral.organisation_id, now)
    return referral.reach(consented=not missing), consents


async def _readable(uow: UnitOfWork, scope: Scope, referral_id: UUID, now: datetime) -> tuple[Referral, ReferralReach, list[Consent]]:
    referral = await uow.referrals.get(referral_id)
    if referral is None:
        raise NotFound(NOT_FOUND)
    reach, consents = await _reach(uow, scope, referral, now)
    enforce(can_read_referral(scope, reach), NOT_FOUND)
    return referral, reach, consents


async def _view(uow: UnitOfWork, access: Access, referral: Referral, consents: list[Consent], now: datetime) -> Referral | AgencyView:
    """The caller's view, audited: the koppel's full referral, or the agency's consented view."""
    if not is_agency(access.scope):
        events = _events(access, AuditAction.read, referral, now)
        if events:
            await uow.audit.append(events)
        return referral
    residents = {r.id: r for r in await uow.residents.get_many(referral.resident_ids)}
    view = agency_view(referral, residents, consents, now)
    await uow.audit.append(_agency_events(access, view, now))
    return view


async def get_referral(uow: UnitOfWork, access: Access, referral_id: UUID, now: datetime) -> Referral | AgencyView:
    """Read one referral as the koppel (everything) or as the receiving agency (under consent)."""
    referral, _reach_, consents = await _readable(uow, access.scope, referral_id, now)
    view = await _view(uow, access, referral, consents, now)
    await uow.commit()
    return view


async def list_referrals(
    uow: UnitOfWork, access: Access, page: PageRequest, filters: ReferralFilter, now: datetime
) -> Page[Referral] | Page[AgencyView]:
    """The referrals the caller may read, oldest first: the koppel's wijken, or for an agency the
    ones sent to it while every resident's consent holds (checked in the query and again here)."""
    scope = access.scope
    enforce(can_list_referrals(scope), NOT_FOUND)
    result = await uow.referrals.list(scope, page, filters, now)
    if not is_agency(scope):
        events = [e for r in result.items for e in _events(access, AuditAction.read, r, now)]
        if events:
            await uow.audit.append(events)
            await uow.commit()
        return result
    consents = await _consents_of(uow, result.items)
    readable = [
        r for r in result.items
        if can_read_referral(scope, r.reach(not missing_consents(r.resident_ids, consents, r.organisation_id, now))).allowed
    ]
    residents = {r.id: r for r in await uow.residents.get_many({x for r in readable for x in r.resident_ids})}
    views = [agency_view(r, residents, consents, now) for r in readable]
    events = [e for v in views for e in _agency_events(access, v, now)]
    if events:
        await uow.audit.append(events)
        await uow.commit()
    return Page(items=views, next_cursor=result.next_cursor)


async def list_status_changes(
    uow: UnitOfWork, access: Access, referral_id: UUID, page: PageRequest, now: datetime
) -> Page[ReferralStatusChange]:
    """The referral's history, oldest first: proposed, then every move (who, when, from, to, why)."""
    referral, reach, _consents = await _readable(uow, access.scope, referral_id, now)
    enforce(can_read_referral_history(access.scope, reach), NOT_FOUND)
    result = await uow.referrals.status_changes(referral.id, page)
    if result.items and referral.resident_ids:
        # The reasons may speak of the residents: the history is read like the referral itself.
        await uow.audit.append(_events(access, AuditAction.read, referral, now, fields=["statusChanges"]))
        await uow.commit()
    return result


# --- proposing, changing, moving ---------------------------------------------------------------


async def propose_referral(uow: UnitOfWork, access: Access, data: NewReferral, now: datetime) -> Referral:
    """Propose guiding a need to an offer (`voorgesteld`); nothing reaches the agency yet."""
    scope = access.scope
    need = await uow.needs.get(data.need_id)
    decision = can_propose_referral(scope, need.wijk_id if need else uuid4())
    if decision.outcome is Outcome.forbidden:
        raise Forbidden(decision.reason)
    if need is None or not decision.allowed:
        raise InvalidInput.field("needId", "no such need in your wijken", code="unknown_reference")
    offer = await uow.offers.get(data.offer_id)
    if offer is None or not can_read_offer(scope, offer.reach).allowed:
        raise InvalidInput.field("offerId", "no such offer in your scope", code="unknown_reference")
    wijk = await uow.wijken.get(need.wijk_id)
    assert wijk is not None  # a need's wijk is never deleted
    if need.wijk_id not in offer.wijk_ids and offer.municipality_code != wijk.municipality_code:
        raise InvalidInput.field("offerId", "the offer does not serve the need's wijk", code="not_serving")
    if not offer.categories & fitting_categories(need.category):
        raise InvalidInput.field("offerId", f"the offer does not help with {need.category}", code="category")
    if offer.provider_organisation_id is None:
        raise InvalidInput.field("offerId", "the offer has no organisation to refer to", code="no_provider")
    if offer.archived_at is not None or not offer.available:
        raise Conflict("the offer is not available at the moment")
    given = data.resident_ids
    resident_ids = referral_residents(need, given)
    assert resident_ids is not None
    if given is not None:
        await residents_of_wijk(uow, resident_ids, need.wijk_id, "residentIds")
    if await uow.referrals.open_for(need.id, offer.id):
        raise Conflict("this need already has an open referral to this offer")
    referral = Referral(
        id=uuid4(),
        need_id=need.id,
        offer_id=offer.id,
        organisation_id=offer.provider_organisation_id,
        wijk_id=need.wijk_id,
        koppel_id=need.koppel_id,
        category=need.category,
        mediation=need.category is MEDIATION_CATEGORY,
        resident_ids=resident_ids,
        status=R.voorgesteld,
        note=check_note(data.note),
        rejection_reason=None,
        withdrawal_reason=None,
        follow_up_on=default_follow_up(local_today(now)),
        followed_up_on=None,
        holds_place=False,
        registered_at=None,
        closed_at=None,
        redacted_at=None,
        proposed_by=Actor.of(scope.principal),
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.referrals.add(referral)
    await uow.referrals.add_status_change(
        ReferralStatusChange(uuid4(), referral.id, None, R.voorgesteld, None, referral.proposed_by, now, 1)
    )
    for resident_id in resident_ids:
        await uow.residents.touch_activity(resident_id, now)
    await uow.audit.append(_events(access, AuditAction.create, referral, now))
    stored = await uow.referrals.get(referral.id)
    await uow.commit()
    assert stored is not None
    return stored


async def update_referral(
    uow: UnitOfWork, access: Access, referral_id: UUID, expected_version: int, changes: Mapping[str, Any], now: datetime
) -> Referral:
    """The koppel keeps the note current while the referral is open, and plans and records nazorg
    (also after it closed)."""
    scope = access.scope
    current, reach, _consents = await _readable(uow, scope, referral_id, now)
    enforce(can_change_referral(scope, reach), NOT_FOUND)
    check_version(current.version, expected_version)
    today = local_today(now)
    candidate = current
    if "note" in changes:
        if current.closed:
            raise Conflict(f"the referral is closed ('{current.status}'); its note no longer changes")
        candidate = replace(candidate, note=check_note(changes["note"]))
    if "follow_up_on" in changes:
        candidate = replace(candidate, follow_up_on=check_follow_up_on(changes["follow_up_on"], today))
    if "followed_up_on" in changes:
        candidate = replace(candidate, followed_up_on=check_followed_up_on(changes["followed_up_on"], current, today))
    names = {"note": "note", "follow_up_on": "followUpOn", "followed_up_on": "followedUpOn"}
    changed = [wire for name, wire in names.items() if getattr(current, name) != getattr(candidate, name)]
    updated = await uow.referrals.save(candidate, expected_version, now)
    await uow.audit.append(_events(access, AuditAction.update, updated, now, fields=changed))
    await uow.commit()
    return updated


async def _send(uow: UnitOfWork, referral: Referral, move: ReferralMove, now: datetime) -> Referral:
    """`aangemeld`: the offer still takes residents, every resident consented, a place is taken."""
    offer = await uow.offers.get(referral.offer_id)
    assert offer is not None  # offers are archived, never deleted
    if offer.archived_at is not None or not offer.available:
        raise Conflict("the offer is not available at the moment")
    consents = await _consents_of(uow, [referral])
    missing = missing_consents(referral.resident_ids, consents, referral.organisation_id, now)
    if missing:
        who = "both parties" if referral.mediation else "the resident"
        raise Conflict(
            f"{who} must have a valid consent naming {referral.organisation_name} that covers their identity; "
            f"missing for: {', '.join(map(str, missing))}"
        )
    today = local_today(now)
    follow_up_on = check_follow_up_on(move.follow_up_on, today) if move.follow_up_on else default_follow_up(today)
    took = await uow.offers.take_place(offer.id, now)
    if took is False:
        # Taking a place waits for whoever holds the offer, possibly a colleague sending this very
        # referral, who then took the place. Read it again: a version that is gone is a 412 (fetch it
        # again), not 'no places left'. (A place taken for a gone version goes back with the rollback
        # when the versioned save refuses.)
        stored = await uow.referrals.get(referral.id)
        assert stored is not None  # referrals are closed, never deleted
        check_version(stored.version, referral.version)
        raise Conflict(f"no places left at '{offer.title}'")
    return replace(referral, registered_at=now, follow_up_on=follow_up_on, holds_place=bool(took))


async def move_referral(
    uow: UnitOfWork, access: Access, referral_id: UUID, expected_version: int, move: ReferralMove, now: datetime
) -> Referral | AgencyView:
    """Move a referral along REFERRAL_TRANSITIONS, by the side REFERRAL_MOVES names; answers with
    the caller's view of the referral as it is now."""
    scope = access.scope
    current, reach, _consents = await _readable(uow, scope, referral_id, now)
    check_version(current.version, expected_version)
    side = side_of(current.status, move.to)
    enforce(can_move_referral(scope, reach, side), NOT_FOUND)
    reason = check_reason(move.to, move.reason)
    if move.follow_up_on is not None and move.to is not R.aangemeld:
        raise InvalidInput.field("followUpOn", "only sending (aangemeld) sets the follow-up date here", code="not_applicable")
    candidate = replace(current, status=move.to)
    if move.to is R.aangemeld:
        candidate = await _send(uow, candidate, move, now)
    if move.to is R.afgewezen:
        candidate = replace(candidate, rejection_reason=reason)
    if move.to is R.ingetrokken:
        candidate = replace(candidate, withdrawal_reason=reason)
    if REFERRAL_TRANSITIONS.is_terminal(move.to):
        if current.holds_place:
            await uow.offers.release_place(current.offer_id, now)
        candidate = replace(candidate, holds_place=False, closed_at=now)
    updated = await uow.referrals.save(candidate, expected_version, now)
    await uow.referrals.add_status_change(
        ReferralStatusChange(uuid4(), current.id, current.status, move.to, reason, Actor.of(scope.principal), now, updated.version)
    )
    await uow.audit.append(_events(access, AuditAction.update, updated, now, fields=["status"]))
    if is_agency(scope):
        view: Referral | AgencyView = await _view(uow, access, updated, await _consents_of(uow, [updated]), now)
    else:
        view = updated
    await uow.commit()
    return view


# --- nazorg ------------------------------------------------------------------------------------


async def list_follow_ups(
    uow: UnitOfWork, scope: Scope, koppel_id: UUID, due: date | None, page: PageRequest, now: datetime
) -> Page[FollowUp]:
    """The koppel's referrals whose nazorg date is on or before `due` (default today) and not yet
    checked back, except withdrawn ones; earliest date first. No resident is named: no audit."""
    enforce(can_read_follow_ups(scope, koppel_id), "koppel not found")
    today = local_today(now)
    result = await uow.referrals.follow_ups(koppel_id, scope.wijk_ids, due or today, page)
    return Page(items=[FollowUp(r, r.follow_up_on < today) for r in result.items], next_cursor=result.next_cursor)


# --- erasure -----------------------------------------------------------------------------------


async def withdraw_for_erasure(uow: UnitOfWork, resident_id: UUID, now: datetime) -> int:
    """An erased resident's open referrals are withdrawn by the service (a mediation with them too:
    it cannot go on with one party), places go back, and every text of their referrals is removed;
    the referrals' category, status and dates stay for statistics. Returns how many were touched."""
    referrals = await uow.referrals.of_resident(resident_id)
    for referral in referrals:
        if referral.closed:
            continue
        if referral.holds_place:
            await uow.offers.release_place(referral.offer_id, now)
        closed = replace(referral, status=R.ingetrokken, holds_place=False, closed_at=now)
        saved = await uow.referrals.save(closed, referral.version, now)
        await uow.referrals.add_status_change(
            ReferralStatusChange(uuid4(), referral.id, referral.status, R.ingetrokken, ERASURE_REASON, None, now, saved.version)
        )
    return await uow.referrals.redact_resident(resident_id, now, keep_reason=ERASURE_REASON)
