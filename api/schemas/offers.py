"""The offer catalogue on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, ApiPatch
from api.schemas.wijken import MunicipalityCode
from domain.categories import NeedCategory

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(min_length=1, max_length=5000)]
ContactRoute = Annotated[
    str,
    Field(
        min_length=1, max_length=500, examples=["Aanmelden via de opbouwwerker of 0592 123 456 (werkdagen)"]
    ),
]
Categories = Annotated[list[NeedCategory], Field(min_length=1, max_length=len(NeedCategory))]
Capacity = Annotated[
    int,
    Field(
        ge=0,
        le=1_000_000,
        description="Free places now; null: no fixed limit. A referral takes a place when it is sent "
        "(aangemeld) and gives it back when it closes.",
    ),
]


class OfferCreate(ApiInput):
    provider_organisation_id: UUID = Field(description="An organisation of kind instantie or welzijn.")
    title: Title
    description: Description
    categories: Categories
    wijk_ids: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        description="The wijken served by name (or give municipalityCode).",
    )
    municipality_code: MunicipalityCode | None = Field(
        default=None, description="Serve a whole municipality (instead of wijkIds)."
    )
    capacity: Capacity | None = None
    available: bool = True
    contact_route: ContactRoute
    volunteer_resident_id: UUID | None = Field(
        default=None,
        description="A neighbour who volunteers it (koppel members only; a resident of a wijk the offer serves). "
        "The organisation coordinates the volunteer and receives the referrals.",
    )


class OfferUpdate(ApiPatch):
    nullable = frozenset({"municipality_code", "capacity"})

    provider_organisation_id: UUID | None = None
    title: Title | None = None
    description: Description | None = None
    categories: Categories | None = None
    wijk_ids: list[UUID] | None = Field(default=None, max_length=200)
    municipality_code: MunicipalityCode | None = None
    capacity: Capacity | None = None
    available: bool | None = None
    contact_route: ContactRoute | None = None


class OfferRead(ApiModel):
    id: UUID
    provider_organisation_id: UUID | None
    provider_name: str
    title: str
    description: str
    categories: list[NeedCategory]
    wijk_ids: list[UUID]
    municipality_code: str | None
    capacity: int | None
    available: bool
    contact_route: str
    volunteering: bool = Field(description="A neighbour volunteers this offer (who is not shown).")
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, offer: Any) -> OfferRead:
        return cls(
            id=offer.id,
            provider_organisation_id=offer.provider_organisation_id,
            provider_name=offer.provider_name,
            title=offer.title,
            description=offer.description,
            categories=sorted(offer.categories),
            wijk_ids=sorted(offer.wijk_ids, key=str),
            municipality_code=offer.municipality_code,
            capacity=offer.capacity,
            available=offer.available,
            contact_route=offer.contact_route,
            volunteering=offer.volunteering,
            archived_at=offer.archived_at,
            created_at=offer.created_at,
            updated_at=offer.updated_at,
        )
