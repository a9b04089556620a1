"""Interventions: a piece of the koppel's work on an issue in a wijk, moving through the method's six
phases (DESIGN.md §3).

The phase model is permissive but recorded: moving forward to any later phase is free; moving back
needs a reason; `evaluatie` closes the intervention and needs an outcome; a closed intervention is
read-only. Guards that give a phase its meaning:
- `toeleiden` (guiding residents to help) needs a note of whom or what the koppel guides them to.
  When referrals exist (vraag ↔ aanbod), this guard is the place to require one instead.
- `nazorg` (after-care) schedules a follow-up date, which must lie in the future.
Every change is kept as history: who, when, from, to, why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.casework import Actor, check_version, optional_text, required_text, wijk_for_new_work
from domain.casework_policies import can_read_signal, can_work_on_intervention
from domain.errors import Conflict, InvalidInput, NotFound
from domain.koppels import wijken_on
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, enforce

NOT_FOUND = "intervention not found"
MAX_TEXT = 5000
MAX_LINKS = 100


class Phase(StrEnum):
    """The method's six phases, in their order."""

    kwartier_maken = "kwartier_maken"
    activeren = "activeren"
    toeleiden = "toeleiden"
    nazorg = "nazorg"
    agenderen = "agenderen"
    evaluatie = "evaluatie"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)
CLOSING_PHASE = Phase.evaluatie


class InterventionKind(StrEnum):
    buurtactiviteit = "buurtactiviteit"
    huisbezoekenronde = "huisbezoekenronde"
    bemiddeling = "bemiddeling"
    overlastaanpak = "overlastaanpak"
    collectieve_actie = "collectieve_actie"
    overig = "overig"


class OutcomeResult(StrEnum):
    geslaagd = "geslaagd"
    deels_geslaagd = "deels_geslaagd"
    niet_geslaagd = "niet_geslaagd"


class Direction(StrEnum):
    """How a phase move relates to the phase order."""

    forward = "forward"
    back = "back"
    same = "same"


def direction(current: Phase, target: Phase) -> Direction:
    """Forward (a later phase), back (an earlier one) or the same phase."""
    a, b = PHASE_ORDER.index(current), PHASE_ORDER.index(target)
    return Direction.forward if b > a else Direction.back if b < a else Direction.same


@dataclass(frozen=True)
class InterventionOutcome:
    result: OutcomeResult
    text: str


@dataclass(frozen=True)
class Intervention:
    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    kind: InterventionKind
    title: str
    description: str
    phase: Phase
    follow_up_on: date | None
    outcome: InterventionOutcome | None
    closed_at: datetime | None
    created_by: Actor
    version: int
    created_at: datetime
    updated_at: datetime
    signal_ids: frozenset[UUID] = frozenset()
    agenda_item_ids: frozenset[UUID] = frozenset()  # read with the intervention

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class PhaseMove:
    """A request to move an intervention to another phase."""

    to: Phase
    reason: str | None = None  # why; required to go back
    note: str | None = None  # what the phase is about; required for toeleiden
    follow_up_on: date | None = None  # required for nazorg
    outcome: InterventionOutcome | None = None  # required for evaluatie


@dataclass(frozen=True)
class PhaseChange:
    """One entry of the phase history; `at_version` orders it (the intervention's version after)."""

    id: UUID
    intervention_id: UUID
    from_phase: Phase | None  # None: the intervention started
    to_phase: Phase
    reason: str | None
    note: str | None
    follow_up_on: date | None
    actor: Actor
    changed_at: datetime
    at_version: int


@dataclass(frozen=True)
class NewIntervention:
    wijk_id: UUID
    koppel_id: UUID
    kind: InterventionKind
    title: str
    description: str = ""
    signal_ids: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class InterventionFilter:
    wijk_id: UUID | None = None
    koppel_id: UUID | None = None
    phase: Phase | None = None
    open: bool | None = None


# --- rules -------------------------------------------------------------------------------------


def check_phase_move(current: Phase, closed: bool, move: PhaseMove, today: date) -> PhaseMove:
    """The method's phase rules; returns the move with its texts trimmed.

    Closed is read-only (409); staying in the same phase is no move (409); back needs a reason;
    `toeleiden` a note of whom/what it guides to; `nazorg` a follow-up date after today;
    `evaluatie` an outcome. A follow-up date or an outcome given with another phase is refused,
    so nothing is silently dropped.
    """
    if closed:
        raise Conflict("the intervention is closed (evaluatie); it is read-only")
    way = direction(current, move.to)
    if way is Direction.same:
        raise Conflict(f"the intervention is already in phase '{current}'")
    reason = optional_text(move.reason)
    if way is Direction.back:
        reason = required_text(move.reason, "reason", f"say why the intervention goes back to '{move.to}'")
    note = optional_text(move.note)
    if move.to is Phase.toeleiden:
        note = required_text(move.note, "note", "say to whom or what the koppel guides residents")
    if move.to is Phase.nazorg:
        if move.follow_up_on is None:
            raise InvalidInput.field("followUpOn", "nazorg needs a follow-up date", code="required")
        if move.follow_up_on <= today:
            raise InvalidInput.field("followUpOn", "the follow-up date must lie in the future", code="future")
    elif move.follow_up_on is not None:
        raise InvalidInput.field("followUpOn", "only a move to nazorg schedules a follow-up", code="not_applicable")
    outcome = move.outcome
    if move.to is CLOSING_PHASE:
        if outcome is None:
            raise InvalidInput.field("outcome", "evaluatie closes the intervention and needs an outcome", code="required")
        outcome = replace(outcome, text=required_text(outcome.text, "outcome.text", "describe the outcome"))
    elif outcome is not None:
        raise InvalidInput.field("outcome", "only evaluatie records an outcome", code="not_applicable")
    for name, text in (("reason", reason), ("note", note)):
        if text is not None and len(text) > MAX_TEXT:
            raise InvalidInput.field(name, f"at most {MAX_TEXT} characters", code="too_long")
    return replace(move, reason=reason, note=note, outcome=outcome)


def apply_phase_move(intervention: Intervention, move: PhaseMove, now: datetime) -> Intervention:
    """The intervention after a checked move."""
    closing = move.to is CLOSING_PHASE
    return replace(
        intervention,
        phase=move.to,
        follow_up_on=move.follow_up_on if move.to is Phase.nazorg else intervention.follow_up_on,
        outcome=move.outcome if closing else intervention.outcome,
        closed_at=now if closing else None,
    )


def _check_texts(title: str, description: str) -> tuple[str, str]:
    title = required_text(title, "title", "give the intervention a title")
    if len(title) > 200:
        raise InvalidInput.field("title", "at most 200 characters", code="too_long")
    description = description.strip()
    if len(description) > MAX_TEXT:
        raise InvalidInput.field("description", f"at most {MAX_TEXT} characters", code="too_long")
    return title, description


# --- use cases ---------------------------------------------------------------------------------


async def _check_koppel(uow: UnitOfWork, koppel_id: UUID, wijk_id: UUID, today: date) -> None:
    koppel = await uow.koppels.get(koppel_id)
    assignments = await uow.assignments.of_koppels([koppel_id]) if koppel else []
    if koppel is None or not koppel.is_active_on(today) or wijk_id not in wijken_on(assignments, today):
        raise InvalidInput.field(
            "koppelId", "name an active koppel that works in this wijk today", code="unknown_reference"
        )


async def linked_signals(uow: UnitOfWork, scope: Scope, signal_ids: Iterable[UUID], wijk_id: UUID) -> frozenset[UUID]:
    """Check signals to link: each exists in the caller's reach and lies in the same wijk."""
    wanted = frozenset(signal_ids)
    if len(wanted) > MAX_LINKS:
        raise InvalidInput.field("signalIds", f"at most {MAX_LINKS} signals", code="too_long")
    found = {s.id: s for s in await uow.signals.get_many(wanted)} if wanted else {}
    for signal_id in sorted(wanted, key=str):
        signal = found.get(signal_id)
        if signal is None or not can_read_signal(scope, signal.reach).allowed:
            raise InvalidInput.field("signalIds", f"no such signal: {signal_id}", code="unknown_reference")
        if signal.wijk_id != wijk_id:
            raise InvalidInput.field("signalIds", f"signal {signal_id} lies in another wijk", code="other_wijk")
    return wanted


async def create_intervention(uow: UnitOfWork, scope: Scope, data: NewIntervention, now: datetime) -> Intervention:
    """Start an intervention in `kwartier_maken` for a koppel working in the wijk today."""
    wijk = await wijk_for_new_work(uow, can_work_on_intervention(scope, data.wijk_id), data.wijk_id)
    await _check_koppel(uow, data.koppel_id, wijk.id, scope.on)
    title, description = _check_texts(data.title, data.description)
    intervention = Intervention(
        id=uuid4(),
        wijk_id=wijk.id,
        koppel_id=data.koppel_id,
        kind=data.kind,
        title=title,
        description=description,
        phase=PHASE_ORDER[0],
        follow_up_on=None,
        outcome=None,
        closed_at=None,
        created_by=Actor.of(scope.principal),
        version=1,
        created_at=now,
        updated_at=now,
        signal_ids=await linked_signals(uow, scope, data.signal_ids, wijk.id),
    )
    await uow.interventions.add(intervention)
    await uow.interventions.add_phase_change(
        PhaseChange(uuid4(), intervention.id, None, intervention.phase, None, None, None, intervention.created_by, now, 1)
    )
    stored = await uow.interventions.get(intervention.id)  # as every read shows it
    await uow.commit()
    assert stored is not None
    return stored


async def get_intervention(uow: UnitOfWork, scope: Scope, intervention_id: UUID) -> Intervention:
    """Read one intervention in scope, with its linked signals and agenda items."""
    intervention = await uow.interventions.get(intervention_id)
    if intervention is None:
        raise NotFound(NOT_FOUND)
    enforce(can_work_on_intervention(scope, intervention.wijk_id), NOT_FOUND)
    return intervention


async def list_interventions(
    uow: UnitOfWork, scope: Scope, page: PageRequest, filters: InterventionFilter
) -> Page[Intervention]:
    """The interventions in scope, oldest first; filter by wijk, koppel, phase, open/closed."""
    return await uow.interventions.list(scope, page, filters)


async def update_intervention(
    uow: UnitOfWork,
    scope: Scope,
    intervention_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Intervention:
    """Change kind, title, description, the koppel or the linked signals while the intervention is open."""
    current = await get_intervention(uow, scope, intervention_id)
    check_version(current.version, expected_version)
    if current.closed:
        raise Conflict("the intervention is closed (evaluatie); it is read-only")
    candidate = replace(current, **changes)
    title, description = _check_texts(candidate.title, candidate.description)
    candidate = replace(candidate, title=title, description=description)
    if "koppel_id" in changes:
        await _check_koppel(uow, candidate.koppel_id, current.wijk_id, scope.on)
    if "signal_ids" in changes:
        candidate = replace(
            candidate, signal_ids=await linked_signals(uow, scope, candidate.signal_ids, current.wijk_id)
        )
    updated = await uow.interventions.save(candidate, expected_version, now)
    await uow.commit()
    return updated


async def move_intervention(
    uow: UnitOfWork, scope: Scope, intervention_id: UUID, expected_version: int, move: PhaseMove, now: datetime
) -> Intervention:
    """Move to another phase by the method's rules (check_phase_move) and record it in the history."""
    current = await get_intervention(uow, scope, intervention_id)
    check_version(current.version, expected_version)
    checked = check_phase_move(current.phase, current.closed, move, scope.on)
    updated = await uow.interventions.save(apply_phase_move(current, checked, now), expected_version, now)
    await uow.interventions.add_phase_change(
        PhaseChange(
            id=uuid4(),
            intervention_id=intervention_id,
            from_phase=current.phase,
            to_phase=checked.to,
            reason=checked.reason,
            note=checked.note,
            follow_up_on=checked.follow_up_on,
            actor=Actor.of(scope.principal),
            changed_at=now,
            at_version=updated.version,
        )
    )
    await uow.commit()
    return updated


async def list_phase_changes(
    uow: UnitOfWork, scope: Scope, intervention_id: UUID, page: PageRequest
) -> Page[PhaseChange]:
    """The intervention's phase history, oldest first."""
    await get_intervention(uow, scope, intervention_id)
    return await uow.interventions.phase_changes(intervention_id, page)
