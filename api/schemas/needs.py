"""Needs (vragen) on the wire, and the offers matched to a need with the reasons why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.casework import ActorRead
from api.schemas.common import ApiInput, ApiModel, ApiPatch
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.needs import Match, Need

Description = Annotated[
    str, Field(min_length=1, max_length=5000, description="What the need is; it stays inside the koppel.")
]


class NeedCreate(ApiInput):
    wijk_id: UUID = Field(description="A wijk of your koppel.")
    koppel_id: UUID = Field(description="Your own koppel, working in this wijk today.")
    resident_id: UUID | None = Field(
        default=None, description="The resident with the need (a resident of the wijk); leave out for a need of the street."
    )
    category: NeedCategory
    description: Description
    urgency: Priority = Priority.normaal

    def to_fields(self) -> dict[str, Any]:
        return self.model_dump()


class NeedUpdate(ApiPatch):
    category: NeedCategory | None = None
    description: Description | None = None
    urgency: Priority | None = None


class NeedRead(ApiModel):
    """The koppel's view of a need."""

    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    resident_id: UUID | None
    category: NeedCategory
    description: str | None = Field(description="null only when an erasure removed it.")
    urgency: Priority
    recorded_by: ActorRead
    redacted_at: datetime | None = Field(description="When an erasure removed the description and the resident.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, n: Need) -> NeedRead:
        return cls(
            id=n.id,
            wijk_id=n.wijk_id,
            koppel_id=n.koppel_id,
            resident_id=n.resident_id,
            category=n.category,
            description=n.description,
            urgency=n.urgency,
            recorded_by=ActorRead.of(n.recorded_by),
            redacted_at=n.redacted_at,
            created_at=n.created_at,
            updated_at=n.updated_at,
        )


class MatchRead(ApiModel):
    """An offer that could answer the need, with its score (0–100) and why it was suggested."""

    offer_id: UUID
    title: str
    provider_organisation_id: UUID | None
    provider_name: str
    categories: list[NeedCategory]
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(examples=[["category schulden", "serves this wijk", "2 places left"]])
    available: bool
    places_left: int | None = Field(description="Free places; null: no fixed number.")
    neighbour: bool = Field(description="A neighbour from the need's wijk volunteers it.")
    contact_route: str

    @classmethod
    def of(cls, m: Match) -> MatchRead:
        o = m.offer
        return cls(
            offer_id=o.id,
            title=o.title,
            provider_organisation_id=o.provider_organisation_id,
            provider_name=o.provider_name,
            categories=sorted(o.categories),
            score=m.score,
            reasons=list(m.reasons),
            available=o.available,
            places_left=o.capacity,
            neighbour=m.neighbour,
            contact_route=o.contact_route,
        )


class NeedMatches(ApiModel):
    need_id: UUID
    items: list[MatchRead] = Field(description="Best first: score, then title.")
