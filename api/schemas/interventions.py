"""Interventions and their phase history on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas.casework import ActorRead, LinkIds, Reason, sorted_ids
from api.schemas.common import ApiInput, ApiModel, ApiPatch
from domain.interventions import (
    Intervention,
    InterventionKind,
    InterventionOutcome,
    OutcomeResult,
    Phase,
    PhaseChange,
    PhaseMove,
)

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=5000)]


class InterventionCreate(ApiInput):
    wijk_id: UUID = Field(description="A wijk of your koppel.")
    koppel_id: UUID = Field(description="An active koppel working in that wijk today.")
    kind: InterventionKind
    title: Title
    description: Description = ""
    signal_ids: LinkIds = Field(default_factory=list, description="Signals in the same wijk it takes up.")


class InterventionUpdate(ApiPatch):
    kind: InterventionKind | None = None
    title: Title | None = None
    description: Description | None = None
    koppel_id: UUID | None = None
    signal_ids: LinkIds | None = Field(default=None, description="Replaces the linked signals.")

    def domain_changes(self) -> dict[str, object]:
        changes = self.changes()
        if "signal_ids" in changes:
            changes["signal_ids"] = frozenset(self.signal_ids or ())
        return changes


class OutcomeIn(ApiInput):
    result: OutcomeResult
    text: Reason = Field(description="What the intervention achieved, in a few sentences.")


class OutcomeRead(ApiModel):
    result: OutcomeResult
    text: str


class PhaseChangeCreate(ApiInput):
    to: Phase = Field(
        description="Forward to any later phase freely; back to an earlier one with a reason. evaluatie closes."
    )
    reason: Reason | None = Field(default=None, description="Why; required to go back.")
    note: Reason | None = Field(default=None, description="For toeleiden (required): to whom or what residents are guided.")
    follow_up_on: date | None = Field(default=None, description="For nazorg (required): the follow-up date, after today.")
    outcome: OutcomeIn | None = Field(default=None, description="For evaluatie (required).")

    def to_domain(self) -> PhaseMove:
        return PhaseMove(
            to=self.to,
            reason=self.reason,
            note=self.note,
            follow_up_on=self.follow_up_on,
            outcome=InterventionOutcome(self.outcome.result, self.outcome.text) if self.outcome else None,
        )


class InterventionRead(ApiModel):
    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    kind: InterventionKind
    title: str
    description: str
    phase: Phase
    follow_up_on: date | None = Field(description="The follow-up date set when it entered nazorg (the last one).")
    outcome: OutcomeRead | None
    closed_at: datetime | None = Field(description="Set by evaluatie; a closed intervention is read-only.")
    created_by: ActorRead
    signal_ids: list[UUID]
    agenda_item_ids: list[UUID] = Field(description="Agenda items that raise it.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, i: Intervention) -> InterventionRead:
        return cls(
            id=i.id,
            wijk_id=i.wijk_id,
            koppel_id=i.koppel_id,
            kind=i.kind,
            title=i.title,
            description=i.description,
            phase=i.phase,
            follow_up_on=i.follow_up_on,
            outcome=OutcomeRead(result=i.outcome.result, text=i.outcome.text) if i.outcome else None,
            closed_at=i.closed_at,
            created_by=ActorRead.of(i.created_by),
            signal_ids=sorted_ids(i.signal_ids),
            agenda_item_ids=sorted_ids(i.agenda_item_ids),
            created_at=i.created_at,
            updated_at=i.updated_at,
        )


class PhaseChangeRead(ApiModel):
    id: UUID
    intervention_id: UUID
    from_phase: Phase | None = Field(description="null: the intervention started.")
    to_phase: Phase
    reason: str | None
    note: str | None
    follow_up_on: date | None
    changed_by: ActorRead
    changed_at: datetime

    @classmethod
    def of(cls, c: PhaseChange) -> PhaseChangeRead:
        return cls(
            id=c.id,
            intervention_id=c.intervention_id,
            from_phase=c.from_phase,
            to_phase=c.to_phase,
            reason=c.reason,
            note=c.note,
            follow_up_on=c.follow_up_on,
            changed_by=ActorRead.of(c.actor),
            changed_at=c.changed_at,
        )
