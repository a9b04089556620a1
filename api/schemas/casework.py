"""Pieces every casework resource shows the same way: who did something, where it is."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, model_validator

from api.schemas.common import ApiInput, ApiModel
from domain.casework import Actor
from domain.geo import Address, GeoPoint
from domain.identity import PrincipalKind

Reason = Annotated[str, Field(min_length=1, max_length=5000)]
LinkIds = Annotated[list[UUID], Field(max_length=100)]


class ActorRead(ApiModel):
    """A staff user or a system client, with the name shown to colleagues."""

    kind: PrincipalKind
    id: UUID
    display_name: str

    @classmethod
    def of(cls, actor: Actor) -> ActorRead:
        return cls(kind=actor.kind, id=actor.id, display_name=actor.display_name)


class LocationAddressIn(ApiInput):
    postcode: str = Field(
        pattern=r"^[1-9][0-9]{3} ?[A-Za-z]{2}$", description="Dutch postcode.", examples=["9401AB"]
    )
    house_number: int = Field(ge=1, le=99_999, examples=[12])
    house_number_addition: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9]{1,4}$", description="Toevoeging, e.g. `A` or `2`."
    )

    def to_domain(self) -> Address:
        return Address(self.postcode, self.house_number, self.house_number_addition)


class LocationPointIn(ApiInput):
    """WGS84 coordinates inside the Netherlands (and inside the wijk's boundary, when it has one)."""

    latitude: float = Field(ge=-90, le=90, examples=[52.995])
    longitude: float = Field(ge=-180, le=180, examples=[6.585])

    def to_domain(self) -> GeoPoint:
        return GeoPoint(self.latitude, self.longitude)


class LocationIn(ApiInput):
    """Where it is: an address, a point, or both."""

    address: LocationAddressIn | None = None
    point: LocationPointIn | None = None

    @model_validator(mode="after")
    def _something(self) -> LocationIn:
        if self.address is None and self.point is None:
            raise ValueError("give an address, a point or both")
        return self

    def to_domain(self) -> tuple[Address | None, GeoPoint | None]:
        return (
            self.address.to_domain() if self.address else None,
            self.point.to_domain() if self.point else None,
        )


class LocationAddressRead(ApiModel):
    postcode: str
    house_number: int
    house_number_addition: str | None


class LocationPointRead(ApiModel):
    latitude: float
    longitude: float


class LocationRead(ApiModel):
    address: LocationAddressRead | None
    point: LocationPointRead | None

    @classmethod
    def of(cls, address: Address | None, point: GeoPoint | None) -> LocationRead | None:
        if address is None and point is None:
            return None
        return cls(
            address=LocationAddressRead.model_validate(address, from_attributes=True) if address else None,
            point=LocationPointRead.model_validate(point, from_attributes=True) if point else None,
        )


def actor_json(actor: Actor) -> dict[str, Any]:
    """ActorRead as a dict in its fields' order (see common.write_json)."""
    return {"kind": actor.kind, "id": actor.id, "displayName": actor.display_name}


def location_json(address: Address | None, point: GeoPoint | None) -> dict[str, Any] | None:
    """LocationRead as a dict in its fields' order (see common.write_json)."""
    if address is None and point is None:
        return None
    return {
        "address": {
            "postcode": address.postcode,
            "houseNumber": address.house_number,
            "houseNumberAddition": address.house_number_addition,
        }
        if address
        else None,
        "point": {"latitude": point.latitude, "longitude": point.longitude} if point else None,
    }


def sorted_ids(ids: Any) -> list[UUID]:
    """Link ids in a stable order."""
    return sorted(ids, key=str) if ids else []
