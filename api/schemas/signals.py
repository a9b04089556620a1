"""Signals on the wire: the koppel's full view, and the receipt a housing system reads back."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.problems import Problem, problem_of
from api.schemas.casework import (
    ActorRead,
    LocationIn,
    LocationRead,
    Reason,
    actor_json,
    location_json,
    sorted_ids,
)
from api.schemas.common import ApiInput, ApiModel, ApiPatch, PageOf, write_json, write_page
from domain.casework import Priority
from domain.feeds import SignalProgress
from domain.signals import (
    BatchOutcome,
    Intake,
    Signal,
    SignalCategory,
    SignalSource,
    SignalStatus,
    SignalStatusChange,
)

Description = Annotated[str, Field(min_length=1, max_length=5000)]
ExternalReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="The submitting organisation's own reference; unique per organisation (409 when reused).",
        examples=["TA-2026-00123"],
    ),
]


class SignalCreate(ApiInput):
    """A signal. Staff name the wijk (one of their koppel); leave `wijkId` out and the signal is placed by
    its `location` in one of your wijken — for a housing corporation's system, the wijken its
    organisation serves: the point inside a wijk's boundary, or the address's postcode in a wijk's
    postcode ranges."""

    wijk_id: UUID | None = Field(default=None, description="The wijk; leave it out to place the signal by its location.")
    source: SignalSource | None = Field(
        default=None, description="Where the signal came from (required for staff; a system's signals come from its organisation)."
    )
    category: SignalCategory
    description: Description
    urgency: Priority = Priority.normaal
    location: LocationIn | None = None
    external_reference: ExternalReference | None = Field(
        default=None,
        description="Your organisation's own reference, unique there; required for systems, whose signal sent again "
        "under the same reference is answered with the stored one (200) instead of stored twice.",
    )

    def to_fields(self) -> dict[str, Any]:
        address, point = self.location.to_domain() if self.location else (None, None)
        return {
            "wijk_id": self.wijk_id,
            "source": self.source,
            "category": self.category,
            "description": self.description,
            "urgency": self.urgency,
            "address": address,
            "point": point,
            "external_reference": self.external_reference,
        }


class SignalUpdate(ApiPatch):
    nullable = frozenset({"location"})

    category: SignalCategory | None = None
    description: Description | None = None
    urgency: Priority | None = None
    location: LocationIn | None = Field(default=None, description="null removes the location.")

    def domain_changes(self) -> dict[str, Any]:
        changes = self.changes()
        if "location" in changes:
            del changes["location"]
            changes["address"], changes["point"] = self.location.to_domain() if self.location else (None, None)
        return changes


class SignalStatusChangeCreate(ApiInput):
    to: SignalStatus = Field(
        description="nieuw → in_behandeling | afgewezen; in_behandeling → doorgezet | afgehandeld | afgewezen; "
        "doorgezet → afgehandeld | in_behandeling. afgehandeld and afgewezen are final."
    )
    reason: Reason | None = Field(
        default=None,
        description="Required for afgewezen (why), doorgezet (to whom) and doorgezet → in_behandeling (why back).",
    )


class SignalRead(ApiModel):
    """The koppel's view of a signal."""

    id: UUID
    wijk_id: UUID
    source: SignalSource
    category: SignalCategory
    description: str
    urgency: Priority
    location: LocationRead | None
    status: SignalStatus
    submitted_by_organisation_id: UUID
    external_reference: str | None
    recorded_by: ActorRead
    first_action_at: datetime | None = Field(description="When the signal first moved out of `nieuw`.")
    closed_at: datetime | None
    intervention_ids: list[UUID] = Field(description="Interventions that take this signal up.")
    agenda_item_ids: list[UUID] = Field(description="Agenda items that raise it.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Signal) -> SignalRead:
        return cls(
            id=s.id,
            wijk_id=s.wijk_id,
            source=s.source,
            category=s.category,
            description=s.description,
            urgency=s.urgency,
            location=LocationRead.of(s.address, s.point),
            status=s.status,
            submitted_by_organisation_id=s.submitted_by_organisation_id,
            external_reference=s.external_reference,
            recorded_by=ActorRead.of(s.recorded_by),
            first_action_at=s.first_action_at,
            closed_at=s.closed_at,
            intervention_ids=sorted_ids(s.intervention_ids),
            agenda_item_ids=sorted_ids(s.agenda_item_ids),
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


class SignalReceipt(ApiModel):
    """What a housing corporation's system reads back about its own signals: their progress, not
    the koppel's texts, names or links. (`of` takes a Signal or the feed's SignalProgress.)"""

    id: UUID
    external_reference: str | None
    wijk_id: UUID
    source: SignalSource
    category: SignalCategory
    urgency: Priority
    status: SignalStatus
    first_action_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Signal | SignalProgress) -> SignalReceipt:
        return cls(
            id=s.id,
            external_reference=s.external_reference,
            wijk_id=s.wijk_id,
            source=s.source,
            category=s.category,
            urgency=s.urgency,
            status=s.status,
            first_action_at=s.first_action_at,
            closed_at=s.closed_at,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


class SignalPage(PageOf[SignalRead | SignalReceipt]):
    """A page of signals: SignalRead for koppel members, SignalReceipt for housing systems."""

    @staticmethod
    def json_of(signals: list[Signal], next_cursor: str | None, receipts: bool) -> bytes:
        """The same bytes as serialising the page of SignalRead (or SignalReceipt) models, written
        straight from the domain objects; tests/unit/test_list_json.py holds the two equal."""
        view = receipt_json if receipts else signal_json
        return write_page([view(s) for s in signals], next_cursor)


def signal_json(s: Signal) -> dict[str, Any]:
    """SignalRead as a dict in its fields' order."""
    return {
        "id": s.id,
        "wijkId": s.wijk_id,
        "source": s.source,
        "category": s.category,
        "description": s.description,
        "urgency": s.urgency,
        "location": location_json(s.address, s.point),
        "status": s.status,
        "submittedByOrganisationId": s.submitted_by_organisation_id,
        "externalReference": s.external_reference,
        "recordedBy": actor_json(s.recorded_by),
        "firstActionAt": s.first_action_at,
        "closedAt": s.closed_at,
        "interventionIds": sorted_ids(s.intervention_ids),
        "agendaItemIds": sorted_ids(s.agenda_item_ids),
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
    }


def receipt_json(s: Signal) -> dict[str, Any]:
    """SignalReceipt as a dict in its fields' order."""
    return {
        "id": s.id,
        "externalReference": s.external_reference,
        "wijkId": s.wijk_id,
        "source": s.source,
        "category": s.category,
        "urgency": s.urgency,
        "status": s.status,
        "firstActionAt": s.first_action_at,
        "closedAt": s.closed_at,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
    }


class SignalStatusChangeRead(ApiModel):
    id: UUID
    signal_id: UUID
    from_status: SignalStatus | None = Field(description="null: the signal was recorded.")
    to_status: SignalStatus
    reason: str | None
    changed_by: ActorRead
    changed_at: datetime

    @classmethod
    def of(cls, c: SignalStatusChange) -> SignalStatusChangeRead:
        return cls(
            id=c.id,
            signal_id=c.signal_id,
            from_status=c.from_status,
            to_status=c.to_status,
            reason=c.reason,
            changed_by=ActorRead.of(c.actor),
            changed_at=c.changed_at,
        )



MAX_BATCH = 500


class SignalBatchCreate(ApiInput):
    """Up to 500 signals (and at most KOPPELWERK_MAX_BODY_BYTES, default 1 MiB). Each item is read and
    judged on its own, as a SignalCreate: a bad item is reported in its place and does not stop the others."""

    signals: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        json_schema_extra={"items": {"$ref": "#/components/schemas/SignalCreate"}},
    )


class BatchOutcomeKind(StrEnum):
    created = "created"
    existing = "existing"  # sent before under the same externalReference: the stored signal
    rejected = "rejected"


class SignalBatchResult(ApiModel):
    index: int = Field(description="The item's position in `signals`, from 0.")
    outcome: BatchOutcomeKind
    signal: SignalReceipt | None = Field(description="The stored signal (created or existing).")
    problem: Problem | None = Field(description="Why the item was refused (rejected only).")


class SignalBatchRead(ApiModel):
    created: int
    existing: int
    rejected: int
    results: list[SignalBatchResult] = Field(description="One per item, in the order sent.")

    @staticmethod
    def json_of(outcomes: list[BatchOutcome]) -> bytes:
        """The answer to a batch, written straight from the outcomes: the same bytes as the model built
        with `result_of` (tests/unit/test_list_json.py holds the two equal); building and validating a
        hundred receipts cost a tenth of a batch."""
        results = [_result_json(o) for o in outcomes]
        counts = Counter(r["outcome"] for r in results)
        return write_json(
            {
                "created": counts[BatchOutcomeKind.created],
                "existing": counts[BatchOutcomeKind.existing],
                "rejected": counts[BatchOutcomeKind.rejected],
                "results": results,
            }
        )


def result_of(outcome: BatchOutcome) -> SignalBatchResult:
    """One item's result as the documented model."""
    if outcome.intake is None:
        return SignalBatchResult(index=outcome.index, outcome=BatchOutcomeKind.rejected, signal=None, problem=_problem(outcome))
    signal = SignalReceipt.of(outcome.intake.signal)
    return SignalBatchResult(index=outcome.index, outcome=_kind(outcome.intake), signal=signal, problem=None)


def _result_json(outcome: BatchOutcome) -> dict[str, Any]:
    if outcome.intake is None:
        problem = _problem(outcome).model_dump(mode="json")  # rare, and nested: as the model writes it
        return {"index": outcome.index, "outcome": BatchOutcomeKind.rejected, "signal": None, "problem": problem}
    return {"index": outcome.index, "outcome": _kind(outcome.intake), "signal": receipt_json(outcome.intake.signal), "problem": None}


def _kind(intake: Intake) -> BatchOutcomeKind:
    return BatchOutcomeKind.created if intake.created else BatchOutcomeKind.existing


def _problem(outcome: BatchOutcome) -> Problem:
    assert outcome.error is not None  # an item without an intake was refused
    return problem_of(outcome.error)
