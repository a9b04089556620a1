"""Agenda items on the wire: the raising koppel's view and the addressee's view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.casework import ActorRead, LinkIds, Reason, sorted_ids
from api.schemas.common import ApiInput, ApiModel, ApiPatch, PageOf
from domain.agenda import Addressee, AddresseeKind, AgendaItem, AgendaMove, AgendaStatus, AgendaTheme
from domain.casework import Priority

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(min_length=1, max_length=5000)]
NO_PERSONAL_DATA = "Checked for personal data (BSN, phone, e-mail, postcode + house number): found is a 400."


class AddresseeIn(ApiInput):
    kind: AddresseeKind
    organisation_id: UUID | None = Field(
        default=None,
        description="A specific organisation of that kind (required for a woningcorporatie). Without it: the "
        "police, or the municipality the wijk lies in.",
    )

    def to_domain(self) -> Addressee:
        return Addressee(self.kind, self.organisation_id)


class AddresseeRead(ApiModel):
    kind: AddresseeKind
    organisation_id: UUID | None


class AgendaItemCreate(ApiInput):
    wijk_id: UUID = Field(description="A wijk of your koppel.")
    title: Title = Field(description=NO_PERSONAL_DATA)
    description: Description = Field(description=NO_PERSONAL_DATA)
    theme: AgendaTheme
    priority: Priority = Priority.normaal
    addressee: AddresseeIn
    signal_ids: LinkIds = Field(default_factory=list, description="Signals of the same wijk it raises.")
    intervention_ids: LinkIds = Field(default_factory=list, description="Interventions of the same wijk.")

    def to_fields(self) -> dict[str, Any]:
        return {
            "wijk_id": self.wijk_id,
            "title": self.title,
            "description": self.description,
            "theme": self.theme,
            "priority": self.priority,
            "addressee": self.addressee.to_domain(),
            "signal_ids": frozenset(self.signal_ids),
            "intervention_ids": frozenset(self.intervention_ids),
        }


class AgendaItemUpdate(ApiPatch):
    title: Title | None = None
    description: Description | None = None
    theme: AgendaTheme | None = None
    priority: Priority | None = None
    addressee: AddresseeIn | None = Field(default=None, description="Only while the item is a concept.")
    signal_ids: LinkIds | None = None
    intervention_ids: LinkIds | None = None

    def domain_changes(self) -> dict[str, Any]:
        changes = self.changes()
        if "addressee" in changes:
            assert self.addressee is not None
            changes["addressee"] = self.addressee.to_domain()
        for name in ("signal_ids", "intervention_ids"):
            if name in changes:
                changes[name] = frozenset(getattr(self, name) or ())
        return changes


class AgendaStatusChangeCreate(ApiInput):
    to: AgendaStatus = Field(
        description="The raising koppel: concept → geagendeerd; withdraw (ingetrokken) while not finished. The "
        "addressee: geagendeerd → in_behandeling | afgewezen; in_behandeling → afgehandeld | afgewezen."
    )
    reason: Reason | None = Field(default=None, description="Why the koppel withdraws (only with ingetrokken).")
    response: Reason | None = Field(
        default=None, description="The addressee's answer; required for afgehandeld and afgewezen. " + NO_PERSONAL_DATA
    )
    addressee_reference: str | None = Field(
        default=None, min_length=1, max_length=100, description="The addressee's own case number."
    )

    def to_domain(self) -> AgendaMove:
        return AgendaMove(self.to, self.reason, self.response, self.addressee_reference)


class _AgendaItemFields(ApiModel):
    id: UUID
    wijk_id: UUID
    title: str
    description: str
    theme: AgendaTheme
    priority: Priority
    addressee: AddresseeRead
    status: AgendaStatus
    addressee_reference: str | None
    response: str | None
    withdrawal_reason: str | None
    submitted_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime


class AgendaItemForAddressee(_AgendaItemFields):
    """What the addressee sees: the issue and its own answer, not the koppel's internal links or names."""

    @classmethod
    def of(cls, item: AgendaItem) -> AgendaItemForAddressee:
        return cls(**_common(item))


class AgendaItemRead(_AgendaItemFields):
    """The raising koppel's view. (A sibling of AgendaItemForAddressee, not a subclass, so a response
    that may be either is never read as the wrong one.)"""

    raised_by: ActorRead
    signal_ids: list[UUID]
    intervention_ids: list[UUID]
    created_at: datetime

    @classmethod
    def of(cls, item: AgendaItem) -> AgendaItemRead:
        return cls(
            **_common(item),
            raised_by=ActorRead.of(item.raised_by),
            signal_ids=sorted_ids(item.signal_ids),
            intervention_ids=sorted_ids(item.intervention_ids),
            created_at=item.created_at,
        )


def _common(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "wijk_id": item.wijk_id,
        "title": item.title,
        "description": item.description,
        "theme": item.theme,
        "priority": item.priority,
        "addressee": AddresseeRead(kind=item.addressee.kind, organisation_id=item.addressee.organisation_id),
        "status": item.status,
        "addressee_reference": item.addressee_reference,
        "response": item.response,
        "withdrawal_reason": item.withdrawal_reason,
        "submitted_at": item.submitted_at,
        "closed_at": item.closed_at,
        "updated_at": item.updated_at,
    }


class AgendaItemPage(PageOf[AgendaItemRead | AgendaItemForAddressee]):
    """A page of agenda items: AgendaItemRead for the raising koppel, AgendaItemForAddressee otherwise."""
