"""Agenda items (agenderen): social issues a koppel puts on the agenda of the police, the municipality
or a housing corporation (DESIGN.md §4).

An agenda item never carries residents' personal data: it has no link to a resident at all, and its
texts pass the free-text guard (BSN, phone numbers, e-mail addresses, postcode + house number).

Two sides move its status, by an explicit table (AGENDA_TRANSITIONS): the koppel that raises the item
puts it on the agenda and may withdraw it while it is not finished; the addressee takes it up and
answers. Every change — including withdrawal and deletion — is appended to a change log in the same
transaction, in a strict order, for the police feed (issue 6) to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.casework import (
    Actor,
    Priority,
    TransitionTable,
    check_version,
    optional_text,
    required_text,
    wijk_for_new_work,
)
from domain.casework_policies import (
    AgendaReach,
    Party,
    agenda_parties,
    can_edit_agenda_item,
    can_move_agenda_item,
    can_raise_agenda_item,
    can_read_agenda_item,
    can_work_on_intervention,
)
from domain.errors import Conflict, InvalidInput, NotFound
from domain.free_text import ensure_no_personal_data
from domain.identity import OrganisationKind
from domain.interventions import MAX_LINKS, linked_signals
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, enforce
from domain.wijken import Wijk

NOT_FOUND = "agenda item not found"
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_REFERENCE = 100


class AgendaStatus(StrEnum):
    concept = "concept"
    geagendeerd = "geagendeerd"
    in_behandeling = "in_behandeling"
    afgehandeld = "afgehandeld"
    afgewezen = "afgewezen"
    ingetrokken = "ingetrokken"


class AgendaTheme(StrEnum):
    veiligheid = "veiligheid"
    leefbaarheid = "leefbaarheid"
    openbare_ruimte = "openbare_ruimte"
    wonen = "wonen"
    jeugd = "jeugd"
    zorg_welzijn = "zorg_welzijn"
    armoede = "armoede"
    voorzieningen = "voorzieningen"
    overig = "overig"


class AddresseeKind(StrEnum):
    """The kinds of organisation an agenda item can be addressed to."""

    politie = "politie"
    gemeente = "gemeente"
    woningcorporatie = "woningcorporatie"


class ChangeKind(StrEnum):
    """What happened to an agenda item, as the change log records it."""

    created = "created"  # raised, as a concept
    submitted = "submitted"  # put on the addressee's agenda: for the addressee, the item appears
    updated = "updated"  # any other change of content or status
    withdrawn = "withdrawn"  # a tombstone for whoever had it on their agenda
    deleted = "deleted"  # a concept removed; a tombstone too


A = AgendaStatus
# For each status: where it may go, and which side makes that move.
AGENDA_MOVES: dict[AgendaStatus, dict[AgendaStatus, Party]] = {
    A.concept: {A.geagendeerd: Party.raiser, A.ingetrokken: Party.raiser},
    A.geagendeerd: {A.in_behandeling: Party.addressee, A.afgewezen: Party.addressee, A.ingetrokken: Party.raiser},
    A.in_behandeling: {A.afgehandeld: Party.addressee, A.afgewezen: Party.addressee, A.ingetrokken: Party.raiser},
    A.afgehandeld: {},
    A.afgewezen: {},
    A.ingetrokken: {},
}
AGENDA_TRANSITIONS: TransitionTable[AgendaStatus] = TransitionTable(
    "agenda item", {status: frozenset(moves) for status, moves in AGENDA_MOVES.items()}
)
# The raiser edits the item while the addressee has not yet taken it up.
EDITABLE = frozenset({A.concept, A.geagendeerd})
NEEDS_RESPONSE = frozenset({A.afgehandeld, A.afgewezen})


@dataclass(frozen=True)
class Addressee:
    kind: AddresseeKind
    organisation_id: UUID | None = None  # None: the kind's organisation for the wijk


@dataclass(frozen=True)
class AgendaItem:
    id: UUID
    wijk_id: UUID
    title: str
    description: str
    theme: AgendaTheme
    priority: Priority
    addressee: Addressee
    status: AgendaStatus
    addressee_reference: str | None
    response: str | None
    withdrawal_reason: str | None
    raised_by: Actor
    submitted_at: datetime | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    signal_ids: frozenset[UUID] = frozenset()
    intervention_ids: frozenset[UUID] = frozenset()

    @property
    def reach(self) -> AgendaReach:
        return AgendaReach(
            self.wijk_id,
            OrganisationKind(self.addressee.kind.value),
            self.addressee.organisation_id,
            submitted=self.status is not AgendaStatus.concept,
        )


@dataclass(frozen=True)
class AgendaItemChange:
    """One entry of the change log: what happened to which item, with the item's status and addressee
    at that moment (so a tombstone still says whom it concerned). The store numbers entries in a
    strictly increasing sequence that follows commit order. `submitted`: the addressee has (or, for a
    withdrawal, had) the item on its agenda, so its feed carries this change."""

    agenda_item_id: UUID
    kind: ChangeKind
    status: AgendaStatus
    wijk_id: UUID
    addressee: Addressee
    item_version: int
    occurred_at: datetime
    sequence: int | None = None  # assigned by the store
    submitted: bool = False


@dataclass(frozen=True)
class NewAgendaItem:
    wijk_id: UUID
    title: str
    description: str
    theme: AgendaTheme
    addressee: Addressee
    priority: Priority = Priority.normaal
    signal_ids: frozenset[UUID] = frozenset()
    intervention_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class AgendaMove:
    to: AgendaStatus
    reason: str | None = None  # why the koppel withdraws
    response: str | None = None  # the addressee's answer
    addressee_reference: str | None = None  # the addressee's own case number


@dataclass(frozen=True)
class AgendaFilter:
    wijk_id: UUID | None = None
    status: AgendaStatus | None = None
    addressee_kind: AddresseeKind | None = None
    theme: AgendaTheme | None = None
    priority: Priority | None = None


# --- rules -------------------------------------------------------------------------------------


def mover(current: AgendaStatus, target: AgendaStatus) -> Party:
    """The side that makes this move; 409 when the table has no such move."""
    AGENDA_TRANSITIONS.check(current, target)
    return AGENDA_MOVES[current][target]


def check_texts(title: str, description: str) -> tuple[str, str]:
    """Title and description are present, bounded and free of personal data (they leave the koppel)."""
    title = required_text(title, "title", "give the agenda item a title")
    description = required_text(description, "description", "describe the issue")
    if len(title) > MAX_TITLE:
        raise InvalidInput.field("title", f"at most {MAX_TITLE} characters", code="too_long")
    if len(description) > MAX_TEXT:
        raise InvalidInput.field("description", f"at most {MAX_TEXT} characters", code="too_long")
    ensure_no_personal_data({"title": title, "description": description})
    return title, description


def check_move(current: AgendaStatus, move: AgendaMove) -> AgendaMove:
    """The texts a move carries: the raiser's reason only when withdrawing; the addressee's reference
    and answer only on the addressee's moves, the answer required to finish or refuse. All of it
    passes the free-text guard, as it travels with the item."""
    side = mover(current, move.to)
    reason = optional_text(move.reason)
    response = optional_text(move.response)
    reference = optional_text(move.addressee_reference)
    if reason is not None and move.to is not A.ingetrokken:
        raise InvalidInput.field("reason", "only a withdrawal carries a reason", code="not_applicable")
    if side is Party.raiser:
        for name, value in (("response", response), ("addresseeReference", reference)):
            if value is not None:
                raise InvalidInput.field(name, "only the addressee answers", code="not_applicable")
    if move.to in NEEDS_RESPONSE:
        response = required_text(move.response, "response", f"say how the item was {move.to}")
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise InvalidInput.field("addresseeReference", f"at most {MAX_REFERENCE} characters", code="too_long")
    for name, value in (("reason", reason), ("response", response)):
        if value is not None and len(value) > MAX_TEXT:
            raise InvalidInput.field(name, f"at most {MAX_TEXT} characters", code="too_long")
    ensure_no_personal_data({"reason": reason, "response": response})
    return replace(move, reason=reason, response=response, addressee_reference=reference)


def apply_move(item: AgendaItem, move: AgendaMove, now: datetime) -> AgendaItem:
    """The item after a checked move: stamps, the withdrawal reason, the addressee's answer."""
    return replace(
        item,
        status=move.to,
        submitted_at=now if move.to is A.geagendeerd else item.submitted_at,
        closed_at=now if AGENDA_TRANSITIONS.is_terminal(move.to) else None,
        withdrawal_reason=move.reason if move.to is A.ingetrokken else item.withdrawal_reason,
        response=move.response or item.response,
        addressee_reference=move.addressee_reference or item.addressee_reference,
    )


def sees_everything(scope: Scope, item: AgendaItem) -> bool:
    """The raising koppel sees the whole item; the addressee only what is meant for it (no internal
    links to signals and interventions, no koppel member names)."""
    return Party.raiser in agenda_parties(scope, item.reach)


def change_entry(item: AgendaItem, kind: ChangeKind, now: datetime) -> AgendaItemChange:
    """The change-log entry for the item as it is now."""
    return AgendaItemChange(
        item.id,
        kind,
        item.status,
        item.wijk_id,
        item.addressee,
        item.version,
        now,
        submitted=item.submitted_at is not None,
    )


def move_kind(current: AgendaStatus, target: AgendaStatus) -> ChangeKind:
    """How the change log records a status move: putting an item on the agenda is its submission,
    withdrawing it a tombstone, anything else an update."""
    if target is A.ingetrokken:
        return ChangeKind.withdrawn
    if current is A.concept and target is A.geagendeerd:
        return ChangeKind.submitted
    return ChangeKind.updated


# --- use cases ---------------------------------------------------------------------------------


async def _check_addressee(uow: UnitOfWork, addressee: Addressee, wijk: Wijk) -> Addressee:
    if addressee.organisation_id is None:
        if addressee.kind is AddresseeKind.woningcorporatie:
            raise InvalidInput.field(
                "addressee.organisationId", "name the housing corporation the item is for", code="required"
            )
        return addressee
    organisation = await uow.organisations.get(addressee.organisation_id)
    if organisation is None or not organisation.active:
        raise InvalidInput.field("addressee.organisationId", "no such active organisation", code="unknown_reference")
    if organisation.kind.value != addressee.kind.value:
        raise InvalidInput.field(
            "addressee.organisationId",
            f"the organisation is a {organisation.kind}, not a {addressee.kind}",
            code="kind_mismatch",
        )
    if addressee.kind is AddresseeKind.gemeente and organisation.municipality_code != wijk.municipality_code:
        raise InvalidInput.field(
            "addressee.organisationId", "is not the municipality the wijk lies in", code="other_municipality"
        )
    return addressee


async def _linked_interventions(
    uow: UnitOfWork, scope: Scope, intervention_ids: Iterable[UUID], wijk_id: UUID
) -> frozenset[UUID]:
    wanted = frozenset(intervention_ids)
    if len(wanted) > MAX_LINKS:
        raise InvalidInput.field("interventionIds", f"at most {MAX_LINKS} interventions", code="too_long")
    found = {i.id: i for i in await uow.interventions.get_many(wanted)} if wanted else {}
    for intervention_id in sorted(wanted, key=str):
        intervention = found.get(intervention_id)
        if intervention is None or not can_work_on_intervention(scope, intervention.wijk_id).allowed:
            raise InvalidInput.field(
                "interventionIds", f"no such intervention: {intervention_id}", code="unknown_reference"
            )
        if intervention.wijk_id != wijk_id:
            raise InvalidInput.field(
                "interventionIds", f"intervention {intervention_id} lies in another wijk", code="other_wijk"
            )
    return wanted


async def create_agenda_item(uow: UnitOfWork, scope: Scope, data: NewAgendaItem, now: datetime) -> AgendaItem:
    """Raise an agenda item as a `concept` (koppel members of the wijk)."""
    wijk = await wijk_for_new_work(uow, can_raise_agenda_item(scope, data.wijk_id), data.wijk_id)
    title, description = check_texts(data.title, data.description)
    item = AgendaItem(
        id=uuid4(),
        wijk_id=wijk.id,
        title=title,
        description=description,
        theme=data.theme,
        priority=data.priority,
        addressee=await _check_addressee(uow, data.addressee, wijk),
        status=AgendaStatus.concept,
        addressee_reference=None,
        response=None,
        withdrawal_reason=None,
        raised_by=Actor.of(scope.principal),
        submitted_at=None,
        closed_at=None,
        version=1,
        created_at=now,
        updated_at=now,
        signal_ids=await linked_signals(uow, scope, data.signal_ids, wijk.id),
        intervention_ids=await _linked_interventions(uow, scope, data.intervention_ids, wijk.id),
    )
    await uow.agenda_items.add(item)
    await uow.agenda_items.record_change(change_entry(item, ChangeKind.created, now))
    stored = await uow.agenda_items.get(item.id)  # as every read shows it
    await uow.commit()
    assert stored is not None
    return stored


async def get_agenda_item(uow: UnitOfWork, scope: Scope, item_id: UUID) -> AgendaItem:
    """Read one agenda item in scope."""
    item = await uow.agenda_items.get(item_id)
    if item is None:
        raise NotFound(NOT_FOUND)
    enforce(can_read_agenda_item(scope, item.reach), NOT_FOUND)
    return item


async def list_agenda_items(
    uow: UnitOfWork, scope: Scope, page: PageRequest, filters: AgendaFilter
) -> Page[AgendaItem]:
    """The agenda items in scope, oldest first; filter by wijk, status, addressee kind, theme, priority."""
    return await uow.agenda_items.list(scope, page, filters)


async def _editable(uow: UnitOfWork, scope: Scope, item_id: UUID, expected_version: int) -> AgendaItem:
    current = await get_agenda_item(uow, scope, item_id)
    enforce(can_edit_agenda_item(scope, current.reach), NOT_FOUND)
    check_version(current.version, expected_version)
    return current


async def update_agenda_item(
    uow: UnitOfWork,
    scope: Scope,
    item_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> AgendaItem:
    """Change texts, theme, priority or links while the addressee has not taken the item up; the
    addressee only while it is a concept."""
    current = await _editable(uow, scope, item_id, expected_version)
    if current.status not in EDITABLE:
        raise Conflict(f"the item is '{current.status}'; it no longer changes (withdraw it instead)")
    if "addressee" in changes and current.status is not AgendaStatus.concept:
        raise Conflict("the addressee has the item on its agenda; withdraw it and raise a new one instead")
    candidate = replace(current, **changes)
    title, description = check_texts(candidate.title, candidate.description)
    candidate = replace(candidate, title=title, description=description)
    if "addressee" in changes:
        wijk = await uow.wijken.get(current.wijk_id)
        assert wijk is not None  # an item's wijk is never deleted
        candidate = replace(candidate, addressee=await _check_addressee(uow, candidate.addressee, wijk))
    if "signal_ids" in changes:
        candidate = replace(candidate, signal_ids=await linked_signals(uow, scope, candidate.signal_ids, current.wijk_id))
    if "intervention_ids" in changes:
        candidate = replace(
            candidate,
            intervention_ids=await _linked_interventions(uow, scope, candidate.intervention_ids, current.wijk_id),
        )
    updated = await uow.agenda_items.save(candidate, expected_version, now)
    await uow.agenda_items.record_change(change_entry(updated, ChangeKind.updated, now))
    await uow.commit()
    return updated


async def move_agenda_item(
    uow: UnitOfWork, scope: Scope, item_id: UUID, expected_version: int, move: AgendaMove, now: datetime
) -> AgendaItem:
    """Move the item along AGENDA_TRANSITIONS; each move belongs to the raiser or the addressee."""
    current = await get_agenda_item(uow, scope, item_id)
    check_version(current.version, expected_version)
    side = mover(current.status, move.to)
    enforce(can_move_agenda_item(scope, current.reach, side), NOT_FOUND)
    checked = check_move(current.status, move)
    updated = await uow.agenda_items.save(apply_move(current, checked, now), expected_version, now)
    await uow.agenda_items.record_change(change_entry(updated, move_kind(current.status, checked.to), now))
    await uow.commit()
    return updated


async def delete_agenda_item(uow: UnitOfWork, scope: Scope, item_id: UUID, expected_version: int, now: datetime) -> None:
    """Delete a concept made by mistake; an item on someone's agenda is withdrawn instead."""
    current = await _editable(uow, scope, item_id, expected_version)
    if current.status is not AgendaStatus.concept:
        raise Conflict("the item is on the addressee's agenda; withdraw it instead")
    await uow.agenda_items.delete(item_id, expected_version)
    await uow.agenda_items.record_change(
        change_entry(replace(current, version=current.version + 1), ChangeKind.deleted, now)
    )
    await uow.commit()


# --- the addressee's answer ----------------------------------------------------------------------

ANSWERS = frozenset({A.in_behandeling, A.afgehandeld, A.afgewezen})


@dataclass(frozen=True)
class AddresseeAnswer:
    """What an addressee's system sends: a status to move to (taking the item up, finishing or
    refusing it) and/or its own reference and response."""

    to: AgendaStatus | None = None
    response: str | None = None
    addressee_reference: str | None = None


def _says_already(item: AgendaItem, target: AgendaStatus, response: str | None, reference: str | None) -> bool:
    return (
        item.status is target
        and (response is None or response == item.response)
        and (reference is None or reference == item.addressee_reference)
    )


def check_answer(answer: AddresseeAnswer) -> AddresseeAnswer:
    """An answer says something (a status, a response or a reference); its status is one the addressee
    moves to; its texts are trimmed, bounded and free of personal data."""
    if answer.to is not None and answer.to not in ANSWERS:
        raise InvalidInput.field(
            "status", "the addressee answers with in_behandeling, afgehandeld or afgewezen", code="enum"
        )
    response = optional_text(answer.response)
    reference = optional_text(answer.addressee_reference)
    if answer.to is None and response is None and reference is None:
        raise InvalidInput.field("status", "give a status, a response or your reference", code="required")
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise InvalidInput.field("addresseeReference", f"at most {MAX_REFERENCE} characters", code="too_long")
    if response is not None and len(response) > MAX_TEXT:
        raise InvalidInput.field("response", f"at most {MAX_TEXT} characters", code="too_long")
    ensure_no_personal_data({"response": response})
    return AddresseeAnswer(answer.to, response, reference)


async def answer_agenda_item(
    uow: UnitOfWork,
    scope: Scope,
    item_id: UUID,
    answer: AddresseeAnswer,
    expected_version: int | None,
    now: datetime,
) -> AgendaItem:
    """The addressee takes an item up (in_behandeling), finishes or refuses it with a response, or
    attaches its reference and response without moving it. Idempotent: an answer the item already
    gives changes nothing, so a system may safely send it again."""
    current = await get_agenda_item(uow, scope, item_id)
    enforce(can_move_agenda_item(scope, current.reach, Party.addressee), NOT_FOUND)
    if expected_version is not None:
        check_version(current.version, expected_version)
    checked = check_answer(answer)
    target = checked.to or current.status
    if _says_already(current, target, checked.response, checked.addressee_reference):
        return current
    if current.status is A.ingetrokken:
        raise Conflict("the koppel withdrew the item; it no longer takes answers")
    if target is not current.status:
        # every status in ANSWERS is reached by an addressee's move (AGENDA_MOVES); check_move refuses
        # a move the table does not hold (409)
        move = check_move(current.status, AgendaMove(target, None, checked.response, checked.addressee_reference))
        candidate = apply_move(current, move, now)
    else:
        if AGENDA_TRANSITIONS.is_terminal(current.status):
            raise Conflict(f"the item is '{current.status}'; its answer no longer changes")
        candidate = replace(
            current,
            response=checked.response or current.response,
            addressee_reference=checked.addressee_reference or current.addressee_reference,
        )
    updated = await uow.agenda_items.save(candidate, current.version, now)
    await uow.agenda_items.record_change(change_entry(updated, move_kind(current.status, target), now))
    await uow.commit()
    return updated
