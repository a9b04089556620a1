"""Contact moments on the wire: the koppel's own record of meeting residents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.schemas.casework import ActorRead, actor_json, sorted_ids
from api.schemas.common import ApiInput, ApiModel, ApiPatch, write_page
from domain.contact_moments import MAX_RESIDENTS, ContactKind, ContactMoment

Summary = Annotated[
    str,
    Field(min_length=1, max_length=5000, description="What was talked about; it stays inside the koppel."),
]
Place = Annotated[str, Field(min_length=1, max_length=200, examples=["Buurthuis De Schakel"])]
ResidentIds = Annotated[
    list[UUID],
    Field(max_length=MAX_RESIDENTS, description="Residents of the wijk who were involved (audited)."),
]
OccurredAt = Annotated[
    AwareDatetime, Field(description="When it happened (with a UTC offset); not in the future.")
]


class ContactMomentCreate(ApiInput):
    wijk_id: UUID = Field(description="A wijk of your koppel.")
    koppel_id: UUID = Field(description="Your own koppel, working in this wijk today.")
    kind: ContactKind
    occurred_at: OccurredAt
    place: Place | None = None
    summary: Summary
    resident_ids: ResidentIds = Field(default_factory=list)

    def to_fields(self) -> dict[str, Any]:
        return {**self.model_dump(), "resident_ids": frozenset(self.resident_ids)}


class ContactMomentUpdate(ApiPatch):
    nullable = frozenset({"place"})

    kind: ContactKind | None = None
    occurred_at: OccurredAt | None = None
    place: Place | None = Field(default=None, description="null removes the place.")
    summary: Summary | None = None
    resident_ids: ResidentIds | None = None

    def domain_changes(self) -> dict[str, Any]:
        changes = self.changes()
        if "resident_ids" in changes:
            changes["resident_ids"] = frozenset(changes["resident_ids"])
        return changes


class ContactMomentRead(ApiModel):
    """The koppel's view of a contact moment."""

    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    kind: ContactKind
    occurred_at: datetime
    place: str | None
    summary: str | None = Field(description="null only when an erasure removed it.")
    resident_ids: list[UUID]
    recorded_by: ActorRead
    redacted_at: datetime | None = Field(
        description="When an erasure removed summary and place because they could mention the erased resident."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, m: ContactMoment) -> ContactMomentRead:
        return cls(
            id=m.id,
            wijk_id=m.wijk_id,
            koppel_id=m.koppel_id,
            kind=m.kind,
            occurred_at=m.occurred_at,
            place=m.place,
            summary=m.summary,
            resident_ids=sorted_ids(m.resident_ids),
            recorded_by=ActorRead.of(m.recorded_by),
            redacted_at=m.redacted_at,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )


def contact_moments_json(moments: list[ContactMoment], next_cursor: str | None) -> bytes:
    """A page of ContactMomentRead, the same bytes pydantic writes, straight from the domain objects
    (see common.write_json); tests/unit/test_list_json.py holds the two equal."""
    return write_page([contact_moment_json(m) for m in moments], next_cursor)


def contact_moment_json(m: ContactMoment) -> dict[str, Any]:
    """ContactMomentRead as a dict in its fields' order."""
    return {
        "id": m.id,
        "wijkId": m.wijk_id,
        "koppelId": m.koppel_id,
        "kind": m.kind,
        "occurredAt": m.occurred_at,
        "place": m.place,
        "summary": m.summary,
        "residentIds": sorted_ids(m.resident_ids),
        "recordedBy": actor_json(m.recorded_by),
        "redactedAt": m.redacted_at,
        "createdAt": m.created_at,
        "updatedAt": m.updated_at,
    }
