"""Who may see and do what in the koppel's casework: signals, interventions, agenda items, goals.

Pure functions over the caller's Scope (domain.scope) and the few facts of a resource that decide
access, answering with a Decision: allowed; out of scope (404: the resource does not exist for the
caller); forbidden (403). A role that never has a right to a kind of resource gets 403 whatever
the resource, which reveals nothing about it. Repositories mirror the read policies in SQL so a
list never holds what a direct read would refuse.

Signals and interventions may carry residents' personal data in their free text, so only the
koppel members of the wijk work with them (DESIGN.md §5–§6): not the admin, not the gemeente (it
gets statistics), not agencies. A housing corporation's system reads back its own organisation's
signals in a minimal view. Agenda items never carry personal data; they are read by the koppel
that raises them and, once put on the agenda, by their addressee.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.identity import KOPPEL_ROLES, OrganisationKind, Role
from domain.scope import ALLOWED, Decision, Outcome, Scope


def _hidden(reason: str) -> Decision:
    return Decision(Outcome.out_of_scope, reason)


def _forbidden(reason: str) -> Decision:
    return Decision(Outcome.forbidden, reason)


def _koppel_in_wijk(scope: Scope, wijk_id: UUID) -> bool:
    return scope.role in KOPPEL_ROLES and wijk_id in scope.wijk_ids


# --- signals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalReach:
    """The parts of a signal that decide who reaches it."""

    wijk_id: UUID
    submitted_by_organisation_id: UUID


NO_SIGNALS = "signals may hold residents' personal data; only the koppel of the wijk works with them"


def can_read_signal(scope: Scope, signal: SignalReach) -> Decision:
    """Koppel members of the signal's wijk; a housing system the signals of its own organisation."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if signal.wijk_id in scope.wijk_ids else _hidden("the signal is outside your wijken")
    if scope.role is Role.housing_system:
        if signal.submitted_by_organisation_id == scope.organisation_id:
            return ALLOWED
        return _hidden("the signal was not submitted by your organisation")
    return _forbidden(NO_SIGNALS)


def can_handle_signal(scope: Scope, signal: SignalReach) -> Decision:
    """Changing a signal or its status is the koppel's work; a housing system only reads back."""
    readable = can_read_signal(scope, signal)
    if not readable.allowed:
        return readable
    if scope.role in KOPPEL_ROLES:
        return ALLOWED
    return _forbidden("your system reads back the status; the koppel handles the signal")


def can_submit_signals(scope: Scope) -> Decision:
    """Koppel members and housing corporations' systems submit signals (where: can_submit_signal)."""
    if scope.role in KOPPEL_ROLES or scope.role is Role.housing_system:
        return ALLOWED
    return _forbidden(NO_SIGNALS)


def can_submit_signal(scope: Scope, wijk_id: UUID) -> Decision:
    """Koppel members submit signals in their wijken; a housing system in the wijken its organisation
    serves (its service areas, which its scope holds)."""
    if scope.role in KOPPEL_ROLES or scope.role is Role.housing_system:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your scope")
    return _forbidden(NO_SIGNALS)


# --- interventions -----------------------------------------------------------------------------


def can_work_on_intervention(scope: Scope, wijk_id: UUID) -> Decision:
    """Interventions are the koppel's own work: its members in the wijk read and change them."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the intervention is outside your wijken")
    return _forbidden("interventions are the koppel's own work")


# --- agenda items ------------------------------------------------------------------------------


class Party(StrEnum):
    """The two sides of an agenda item: the koppel that raises it and the organisation it addresses."""

    raiser = "raiser"
    addressee = "addressee"


@dataclass(frozen=True)
class AgendaReach:
    """The parts of an agenda item that decide who reaches it."""

    wijk_id: UUID
    addressee_kind: OrganisationKind
    addressee_organisation_id: UUID | None
    submitted: bool  # past `concept`: the addressee has it on its agenda


AGENDA_ROLES = frozenset({*KOPPEL_ROLES, Role.gemeente, Role.police_system})


def is_addressee(scope: Scope, item: AgendaReach) -> bool:
    """The caller speaks for the item's addressee: the police system for the police; a gemeente user
    for the municipality of the wijk; the corporation's wijkbeheerder in the wijk for a corporation
    (it records the corporation's answer; housing systems only exchange signals). An item addressed
    to a specific organisation is that organisation's alone."""
    if item.addressee_organisation_id is not None and item.addressee_organisation_id != scope.organisation_id:
        return False
    if item.addressee_kind is OrganisationKind.politie:
        return scope.role is Role.police_system
    if item.addressee_kind is OrganisationKind.gemeente:
        return scope.role is Role.gemeente and item.wijk_id in scope.wijk_ids
    if item.addressee_kind is OrganisationKind.woningcorporatie:
        return scope.role is Role.wijkbeheerder and item.wijk_id in scope.wijk_ids
    return False


def agenda_parties(scope: Scope, item: AgendaReach) -> frozenset[Party]:
    """The sides of the item the caller is on (a wijkbeheerder may be on both)."""
    parties = set()
    if _koppel_in_wijk(scope, item.wijk_id):
        parties.add(Party.raiser)
    if is_addressee(scope, item):
        parties.add(Party.addressee)
    return frozenset(parties)


def can_read_agenda_item(scope: Scope, item: AgendaReach) -> Decision:
    """The koppel of the wijk; the addressee once the item is on its agenda (concepts stay inside)."""
    parties = agenda_parties(scope, item)
    if Party.raiser in parties or (Party.addressee in parties and item.submitted):
        return ALLOWED
    if scope.role not in AGENDA_ROLES:
        return _forbidden("agenda items are read by the koppel that raises them and by their addressee")
    return _hidden("the agenda item is outside your scope")


def can_raise_agenda_item(scope: Scope, wijk_id: UUID) -> Decision:
    """Koppel members raise agenda items for their wijken."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your wijken")
    return _forbidden("agenda items are raised by koppel members")


def can_edit_agenda_item(scope: Scope, item: AgendaReach) -> Decision:
    """Only the raising koppel edits or deletes the item itself; the addressee answers by status."""
    readable = can_read_agenda_item(scope, item)
    if not readable.allowed:
        return readable
    if Party.raiser in agenda_parties(scope, item):
        return ALLOWED
    return _forbidden("only the koppel that raised the item changes it; answer with a status change")


def can_move_agenda_item(scope: Scope, item: AgendaReach, mover: Party) -> Decision:
    """A status move belongs to one side (see domain.agenda.AGENDA_TRANSITIONS)."""
    readable = can_read_agenda_item(scope, item)
    if not readable.allowed:
        return readable
    if mover in agenda_parties(scope, item):
        return ALLOWED
    if mover is Party.raiser:
        return _forbidden("only the koppel that raised the item makes this move")
    return _forbidden("only the addressee of the item makes this move")


# --- goals -------------------------------------------------------------------------------------


def can_read_goals(scope: Scope, wijk_id: UUID) -> Decision:
    """The wijk's shared goals: the admin, the koppel of the wijk and its municipality."""
    if scope.reaches_all:
        return ALLOWED
    if scope.role in KOPPEL_ROLES or scope.role is Role.gemeente:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your scope")
    return _forbidden("goals are read by the admin, the koppel and the gemeente")


def can_manage_goals(scope: Scope, wijk_id: UUID) -> Decision:
    """The admin and the koppel of the wijk set goals and record reviews; the gemeente reads them."""
    readable = can_read_goals(scope, wijk_id)
    if not readable.allowed:
        return readable
    if scope.reaches_all or scope.role in KOPPEL_ROLES:
        return ALLOWED
    return _forbidden("the gemeente reads the goals; the koppel and the admin set them")
