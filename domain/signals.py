"""Signals (signalen): reports of a problem in a wijk, from a resident, a neighbourhood app, a housing
corporation, the koppel itself, the police, the municipality or an agency.

A signal moves through an explicit status table (SIGNAL_TRANSITIONS); every move is kept as history
(who, when, from, to, why). The first move out of `nieuw` stamps `first_action_at`, so statistics can
report the time from signal to first action. A signal is submitted by an organisation, optionally
with that organisation's own reference, unique per organisation: a re-sent signal is recognised.

`record_signal` serves the koppel's own registrations and the housing corporations' intake: the
submitting organisation, the source and the reference come from the caller, not from the body. A
signal without a wijk is placed by its location in one of the caller's wijken (for a corporation's
system: the wijken its organisation serves). A system must give its own reference, and a signal it
sends again under that reference is recognised and returned, never stored twice.

Every change — recorded, corrected, moved — is appended to the signals' change log in the same
transaction, for the corporations' status feed, holding the log's turn (persistence.change_logs) so the
log's order is commit order: a change to a signal takes it before its first write; recording new
signals takes it after their inserts, with their change-log rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.casework import (
    Actor,
    Priority,
    TransitionTable,
    check_version,
    local_day_bounds,
    optional_text,
    required_text,
    wijk_for_new_work,
)
from domain.casework_policies import (
    SignalReach,
    can_handle_signal,
    can_read_signal,
    can_submit_signal,
    can_submit_signals,
)
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.geo import Address, GeoPoint, check_address, check_point_in_netherlands, point_in_boundary
from domain.identity import Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, enforce
from domain.wijken import Wijk, locate_wijk

NOT_FOUND = "signal not found"
MAX_DESCRIPTION = 5000
MAX_REFERENCE = 100


class SignalSource(StrEnum):
    """Who brought the signal to the koppel."""

    bewoner = "bewoner"
    buurtapp = "buurtapp"
    woningcorporatie = "woningcorporatie"
    koppel = "koppel"
    politie = "politie"
    gemeente = "gemeente"
    instantie = "instantie"


class SignalCategory(StrEnum):
    """What the signal is about: nuisance, safety, neglect and the maintenance issues that housing
    corporations report."""

    burenruzie = "burenruzie"
    geluidsoverlast = "geluidsoverlast"
    drugsoverlast = "drugsoverlast"
    jongerenoverlast = "jongerenoverlast"
    vervuiling = "vervuiling"
    verwaarlozing = "verwaarlozing"
    onderhoud = "onderhoud"
    vocht_schimmel = "vocht_schimmel"
    vandalisme = "vandalisme"
    onveiligheid = "onveiligheid"
    toezicht_kinderen = "toezicht_kinderen"
    overig = "overig"


class SignalStatus(StrEnum):
    nieuw = "nieuw"
    in_behandeling = "in_behandeling"
    doorgezet = "doorgezet"
    afgehandeld = "afgehandeld"
    afgewezen = "afgewezen"


S = SignalStatus
SIGNAL_TRANSITIONS: TransitionTable[SignalStatus] = TransitionTable(
    "signal",
    {
        S.nieuw: frozenset({S.in_behandeling, S.afgewezen}),
        S.in_behandeling: frozenset({S.doorgezet, S.afgehandeld, S.afgewezen}),
        # passed on, then taken back (the other party returned it) or finished
        S.doorgezet: frozenset({S.afgehandeld, S.in_behandeling}),
        S.afgehandeld: frozenset(),
        S.afgewezen: frozenset(),
    },
)


def reason_needed(current: SignalStatus, target: SignalStatus) -> str | None:
    """What the reason must say for this move, or None when a reason is optional."""
    if target is S.afgewezen:
        return "say why the signal is rejected"
    if target is S.doorgezet:
        return "say to whom the signal is passed on"
    if current is S.doorgezet and target is S.in_behandeling:
        return "say why the signal came back"
    return None


@dataclass(frozen=True)
class Signal:
    id: UUID
    wijk_id: UUID
    source: SignalSource
    category: SignalCategory
    description: str
    urgency: Priority
    address: Address | None
    point: GeoPoint | None
    status: SignalStatus
    submitted_by_organisation_id: UUID
    external_reference: str | None
    recorded_by: Actor
    first_action_at: datetime | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    intervention_ids: frozenset[UUID] = frozenset()  # read with the signal
    agenda_item_ids: frozenset[UUID] = frozenset()

    @property
    def reach(self) -> SignalReach:
        return SignalReach(self.wijk_id, self.submitted_by_organisation_id)

    @property
    def closed(self) -> bool:
        return SIGNAL_TRANSITIONS.is_terminal(self.status)


@dataclass(frozen=True)
class SignalStatusChange:
    """One entry of a signal's history; `at_version` orders the history (the signal's version after
    the change)."""

    id: UUID
    signal_id: UUID
    from_status: SignalStatus | None  # None: the signal was recorded
    to_status: SignalStatus
    reason: str | None
    actor: Actor
    changed_at: datetime
    at_version: int


class SignalChangeKind(StrEnum):
    """What happened to a signal, as the change log records it."""

    created = "created"
    updated = "updated"  # what it says was corrected
    status_changed = "status_changed"


@dataclass(frozen=True)
class SignalChange:
    """One entry of the signals' change log, with the submitting organisation and the status at that
    moment; the store numbers entries in commit order."""

    signal_id: UUID
    organisation_id: UUID
    kind: SignalChangeKind
    status: SignalStatus
    signal_version: int
    occurred_at: datetime
    sequence: int | None = None  # assigned by the store

    @classmethod
    def of(cls, signal: Signal, kind: SignalChangeKind, now: datetime) -> SignalChange:
        return cls(signal.id, signal.submitted_by_organisation_id, kind, signal.status, signal.version, now)


class ReferenceTaken(Conflict):
    """The submitting organisation already has a signal under this externalReference (the store's
    uniqueness check, under concurrency)."""


@dataclass(frozen=True)
class Intake:
    """A recorded signal; `created` False when a system sent it again under its reference."""

    signal: Signal
    created: bool


@dataclass(frozen=True)
class NewSignal:
    wijk_id: UUID | None  # None: placed by its location in one of the caller's wijken
    category: SignalCategory
    description: str
    urgency: Priority = Priority.normaal
    source: SignalSource | None = None  # systems: implied by their organisation
    address: Address | None = None
    point: GeoPoint | None = None
    external_reference: str | None = None


@dataclass(frozen=True)
class SignalMove:
    to: SignalStatus
    reason: str | None = None


@dataclass(frozen=True)
class SignalFilter:
    wijk_id: UUID | None = None
    status: SignalStatus | None = None
    category: SignalCategory | None = None
    source: SignalSource | None = None
    urgency: Priority | None = None
    created_from: date | None = None  # local days, both inclusive
    created_to: date | None = None

    def created_range(self) -> tuple[datetime | None, datetime | None]:
        """The creation period as instants [start, end); 400 when it runs backwards."""
        return local_day_bounds(
            self.created_from, self.created_to, from_field="createdFrom", to_field="createdTo"
        )


# --- rules -------------------------------------------------------------------------------------

# The source a system's signals have: a corporation's system reports as the corporation.
SYSTEM_SOURCES = {Role.housing_system: SignalSource.woningcorporatie}


def signal_source(scope: Scope, given: SignalSource | None) -> SignalSource:
    """Staff say where the signal came from; a system's signals come from its organisation."""
    implied = SYSTEM_SOURCES.get(scope.role)
    if implied is not None:
        if given is not None and given is not implied:
            raise InvalidInput.field("source", f"signals from your system have source '{implied}'", code="source")
        return implied
    if given is None:
        raise InvalidInput.field("source", "say where the signal came from", code="required")
    return given


def receipt_only(scope: Scope) -> bool:
    """Systems read back a purpose-built receipt of their signals (status and dates), never the
    koppel's view with its texts, names and links (DESIGN.md §6: minimal views per integrator)."""
    return scope.principal.is_system


def check_location(
    address: Address | None, point: GeoPoint | None, wijk: Wijk | None
) -> tuple[Address | None, GeoPoint | None]:
    """A valid address and/or a point in the Netherlands; a point lies inside the wijk's boundary
    when the wijk (if known yet) has one."""
    checked_address = check_address(address) if address is not None else None
    checked_point = check_point_in_netherlands(point) if point is not None else None
    if wijk is not None and checked_point is not None and wijk.boundary and not point_in_boundary(checked_point, wijk.boundary):
        raise InvalidInput.field(
            "location.point", f"lies outside the boundary of wijk {wijk.code}", code="outside_wijk"
        )
    return checked_address, checked_point


def check_description(description: str) -> str:
    """A description is present and bounded; returned trimmed."""
    text = required_text(description, "description", "describe the signal")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput.field("description", f"at most {MAX_DESCRIPTION} characters", code="too_long")
    return text


def check_reason(current: SignalStatus, target: SignalStatus, reason: str | None) -> str | None:
    """The reason for a move, required where `reason_needed` says so."""
    needed = reason_needed(current, target)
    if needed is not None:
        return required_text(reason, "reason", needed)
    return optional_text(reason)


# --- use cases ---------------------------------------------------------------------------------


async def active_wijken(uow: UnitOfWork, scope: Scope) -> list[Wijk]:
    """The caller's active wijken, where a signal without a wijk may be placed."""
    return [w for w in await uow.wijken.get_many(scope.wijk_ids) if w.active]


async def _wijk_for(uow: UnitOfWork, scope: Scope, data: NewSignal, served: list[Wijk] | None) -> Wijk:
    """The wijk the signal is for: the one named (in the caller's scope), or the one of the caller's
    active wijken (`served`, loaded when not given) its location lies in."""
    if data.wijk_id is not None:
        return await wijk_for_new_work(uow, can_submit_signal(scope, data.wijk_id), data.wijk_id)
    if data.address is None and data.point is None:
        raise InvalidInput.field("location", "give wijkId, or a location to place the signal by", code="required")
    address, point = check_location(data.address, data.point, None)
    return locate_wijk(address, point, served if served is not None else await active_wijken(uow, scope))


async def _known(uow: UnitOfWork, scope: Scope, reference: str) -> Intake | None:
    existing = await uow.signals.get_by_external_reference(scope.organisation_id, reference)
    return Intake(existing, created=False) if existing is not None else None


def _reference(scope: Scope, data: NewSignal, *, required: bool = False) -> str | None:
    """The signal's own externalReference, checked: required of systems and in batches (it recognises
    a resend)."""
    reference = optional_text(data.external_reference)
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise InvalidInput.field("externalReference", f"at most {MAX_REFERENCE} characters", code="too_long")
    if reference is None and (required or receipt_only(scope)):
        raise InvalidInput.field(
            "externalReference", "your own reference is required: it recognises a signal sent twice", code="required"
        )
    return reference


async def _draft(
    uow: UnitOfWork, scope: Scope, data: NewSignal, reference: str | None, now: datetime, served: list[Wijk] | None
) -> Signal:
    """The signal as it will be stored: placed in its wijk, texts checked; nothing written yet."""
    wijk = await _wijk_for(uow, scope, data, served)
    address, point = check_location(data.address, data.point, wijk)
    return Signal(
        id=uuid4(),
        wijk_id=wijk.id,
        source=signal_source(scope, data.source),
        category=data.category,
        description=check_description(data.description),
        urgency=data.urgency,
        address=address,
        point=point,
        status=SignalStatus.nieuw,
        submitted_by_organisation_id=scope.organisation_id,
        external_reference=reference,
        recorded_by=Actor.of(scope.principal),
        first_action_at=None,
        closed_at=None,
        version=1,
        created_at=now,
        updated_at=now,
    )


def _history(signal: Signal) -> SignalStatusChange:
    """The first line of a new signal's history: recorded as `nieuw`."""
    return SignalStatusChange(
        uuid4(), signal.id, None, signal.status, None, signal.recorded_by, signal.created_at, signal.version
    )


async def store_signal(uow: UnitOfWork, scope: Scope, data: NewSignal, now: datetime) -> Intake:
    """Record one signal without committing; the log's turn is taken by its change-log row, the last write."""
    enforce(can_submit_signals(scope), NOT_FOUND)
    system = receipt_only(scope)
    reference = _reference(scope, data)
    if reference is not None:
        known = await uow.signals.get_by_external_reference(scope.organisation_id, reference)
        if known is not None:
            if system:
                return Intake(known, created=False)
            raise Conflict("your organisation already submitted a signal with this externalReference")
    signal = await _draft(uow, scope, data, reference, now, None)
    try:
        await uow.signals.add(signal)
    except ReferenceTaken:
        # a concurrent request with the same reference committed first
        known = await _known(uow, scope, reference or "") if system else None
        if known is None:
            raise
        return known
    await uow.signals.add_status_change(_history(signal))
    await uow.signals.record_change(SignalChange.of(signal, SignalChangeKind.created, now))
    stored = await uow.signals.get(signal.id)  # as every read shows it, with the recorder's name
    assert stored is not None
    return Intake(stored, created=True)


async def record_signal(uow: UnitOfWork, scope: Scope, data: NewSignal, now: datetime) -> Intake:
    """Record a signal as `nieuw`, submitted by the caller's organisation; a system's signal sent again
    under its externalReference comes back as it is (created False), a staff member's is a 409."""
    intake = await store_signal(uow, scope, data, now)
    await uow.commit()
    return intake


async def create_signal(uow: UnitOfWork, scope: Scope, data: NewSignal, now: datetime) -> Signal:
    """Record a signal as `nieuw`, submitted by the caller's organisation (reference unique there)."""
    return (await record_signal(uow, scope, data, now)).signal


# A batch item the API could not read arrives as its error and is reported in its place.
BatchItem = NewSignal | DomainError
MAX_BATCH = 500


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one item of a batch: recorded (or recognised), or refused with its error."""

    index: int
    intake: Intake | None
    error: DomainError | None


async def record_signal_batch(
    uow: UnitOfWork, scope: Scope, items: list[BatchItem], now: datetime
) -> list[BatchOutcome]:
    """Record up to MAX_BATCH signals in one transaction, each judged on its own: an item that breaks a
    rule is reported with its error, the others are recorded (or recognised by their reference).

    Built for volume: every item is checked and placed in memory (the caller's wijken are read once),
    one query finds the references sent before, one insert stores the new signals whose reference is
    still free, and one insert each adds their first history lines and change-log rows; the log's turn
    is taken only for those last rows. The outcomes are those of sending the items one by one, in
    order: an item whose reference was sent before (earlier in the same batch too) is `existing`, even
    when it would now be refused."""
    enforce(can_submit_signals(scope), NOT_FOUND)
    if not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput.field("signals", f"send 1 to {MAX_BATCH} signals", code="range")
    served = await active_wijken(uow, scope)
    drafts = [await _batch_draft(uow, scope, item, now, served) for item in items]
    references = {reference for reference, _ in drafts if reference is not None}
    known = await uow.signals.by_external_references(scope.organisation_id, references)
    first: dict[str, Signal] = {}  # the first draft under each reference not sent before
    for reference, draft in drafts:
        if reference is not None and reference not in known and isinstance(draft, Signal):
            first.setdefault(reference, draft)
    stored = await uow.signals.add_unless_taken(list(first.values()))
    taken = {reference for reference, draft in first.items() if draft.id not in stored}
    if taken:  # sent meanwhile by a concurrent request that committed first
        known |= await uow.signals.by_external_references(scope.organisation_id, taken)
    new = [draft for draft in first.values() if draft.id in stored]
    await uow.signals.add_status_changes([_history(s) for s in new])
    await uow.signals.record_changes([SignalChange.of(s, SignalChangeKind.created, now) for s in new])
    await uow.commit()
    return [_batch_outcome(index, reference, draft, known, first) for index, (reference, draft) in enumerate(drafts)]


async def _batch_draft(
    uow: UnitOfWork, scope: Scope, item: BatchItem, now: datetime, served: list[Wijk]
) -> tuple[str | None, Signal | DomainError]:
    """A batch item's reference (when it has a valid one) and its draft, or the error that refuses it."""
    if isinstance(item, DomainError):
        return None, item
    try:
        reference = _reference(scope, item, required=True)
    except DomainError as refused:
        return None, refused
    try:
        return reference, await _draft(uow, scope, item, reference, now, served)
    except DomainError as refused:
        return reference, refused


def _batch_outcome(
    index: int, reference: str | None, draft: Signal | DomainError, known: dict[str, Signal], first: dict[str, Signal]
) -> BatchOutcome:
    if reference is not None and reference in known:
        return BatchOutcome(index, Intake(known[reference], created=False), None)
    if isinstance(draft, DomainError):
        return BatchOutcome(index, None, draft)
    assert reference is not None  # a batch item without a reference was refused (_batch_draft)
    stored = first[reference]
    return BatchOutcome(index, Intake(stored, created=stored is draft), None)


async def get_signal(uow: UnitOfWork, scope: Scope, signal_id: UUID) -> Signal:
    """Read one signal in scope, with the interventions and agenda items that link to it."""
    signal = await uow.signals.get(signal_id)
    if signal is None:
        raise NotFound(NOT_FOUND)
    enforce(can_read_signal(scope, signal.reach), NOT_FOUND)
    return signal


async def list_signals(uow: UnitOfWork, scope: Scope, page: PageRequest, filters: SignalFilter) -> Page[Signal]:
    """The signals in scope, oldest first (a work queue); filter by wijk, status, category, source,
    urgency and creation period."""
    filters.created_range()
    return await uow.signals.list(scope, page, filters)


async def _handleable(uow: UnitOfWork, scope: Scope, signal_id: UUID, expected_version: int) -> Signal:
    current = await get_signal(uow, scope, signal_id)
    enforce(can_handle_signal(scope, current.reach), NOT_FOUND)
    check_version(current.version, expected_version)
    return current


async def update_signal(
    uow: UnitOfWork,
    scope: Scope,
    signal_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Signal:
    """Correct what a signal says (category, description, urgency, location) while it is open."""
    await uow.signals.begin_change()
    current = await _handleable(uow, scope, signal_id, expected_version)
    if current.closed:
        raise Conflict(f"the signal is closed ('{current.status}'); it no longer changes")
    candidate = replace(current, **changes)
    if "description" in changes:
        candidate = replace(candidate, description=check_description(candidate.description))
    if "address" in changes or "point" in changes:
        wijk = await uow.wijken.get(current.wijk_id)
        assert wijk is not None  # a signal's wijk is never deleted
        address, point = check_location(candidate.address, candidate.point, wijk)
        candidate = replace(candidate, address=address, point=point)
    updated = await uow.signals.save(candidate, expected_version, now)
    await uow.signals.record_change(SignalChange.of(updated, SignalChangeKind.updated, now))
    await uow.commit()
    return updated


async def change_signal_status(
    uow: UnitOfWork, scope: Scope, signal_id: UUID, expected_version: int, move: SignalMove, now: datetime
) -> Signal:
    """Move a signal along SIGNAL_TRANSITIONS, with a reason where the move needs one; the first move
    out of `nieuw` is the first action, a terminal status closes the signal."""
    await uow.signals.begin_change()
    current = await _handleable(uow, scope, signal_id, expected_version)
    SIGNAL_TRANSITIONS.check(current.status, move.to)
    reason = check_reason(current.status, move.to, move.reason)
    candidate = replace(
        current,
        status=move.to,
        first_action_at=current.first_action_at or now,
        closed_at=now if SIGNAL_TRANSITIONS.is_terminal(move.to) else None,
    )
    updated = await uow.signals.save(candidate, expected_version, now)
    await uow.signals.add_status_change(
        SignalStatusChange(
            uuid4(), signal_id, current.status, move.to, reason, Actor.of(scope.principal), now, updated.version
        )
    )
    await uow.signals.record_change(SignalChange.of(updated, SignalChangeKind.status_changed, now))
    await uow.commit()
    return updated


async def list_status_changes(
    uow: UnitOfWork, scope: Scope, signal_id: UUID, page: PageRequest
) -> Page[SignalStatusChange]:
    """The signal's history, oldest first: recorded, then every status move."""
    current = await get_signal(uow, scope, signal_id)
    enforce(can_handle_signal(scope, current.reach), NOT_FOUND)
    return await uow.signals.status_changes(signal_id, page)
