"""Wijken on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, ApiPatch
from domain.koppels import KoppelRole, WorkedWijk
from domain.wijken import ProblemIndicator, Wijk

WijkCode = Annotated[
    str, Field(pattern=r"^WK\d{6}$", description="CBS wijk code: WK + 6 digits.", examples=["WK010601"])
]
BuurtCode = Annotated[
    str,
    Field(
        pattern=r"^BU\d{8}$",
        description="CBS buurt code: BU + the wijk's 6 digits + 2 digits.",
        examples=["BU01060101"],
    ),
]
MunicipalityCode = Annotated[
    str, Field(pattern=r"^GM\d{4}$", description="CBS municipality code: GM + 4 digits.", examples=["GM0106"])
]
WijkName = Annotated[str, Field(min_length=1, max_length=200)]


class GeoJsonBoundary(ApiInput):
    """A GeoJSON (RFC 7946) Polygon or MultiPolygon in WGS84: positions are [longitude, latitude],
    every linear ring has at least 4 positions and ends where it starts."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(
        description="Polygon: a list of linear rings; MultiPolygon: a list of polygons.",
        examples=[[[[6.55, 52.99], [6.58, 52.99], [6.58, 53.01], [6.55, 52.99]]]],
    )


class GeoJsonBoundaryRead(ApiModel):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


PostcodeBound = Annotated[
    str,
    Field(
        pattern=r"^[1-9][0-9]{3} ?([A-Za-z]{2})?$",
        description="A postcode (9401AB) or a whole postcode area (9401).",
        examples=["9401"],
    ),
]


class PostcodeRangeIn(ApiInput):
    """Postcodes from `fromPostcode` to `toPostcode`, both included; an area stands for all its postcodes
    (from 9401 = from 9401AA, to 9402 = to 9402ZZ)."""

    from_postcode: PostcodeBound
    to_postcode: PostcodeBound


class PostcodeRangeRead(ApiModel):
    from_postcode: str = Field(examples=["9401AA"])
    to_postcode: str = Field(examples=["9401ZZ"])


PostcodeRanges = Annotated[
    list[PostcodeRangeIn],
    Field(
        max_length=200,
        description="Where the wijk lies by postcode; a housing corporation's signal with an address is mapped "
        "to the wijk whose ranges hold its postcode.",
    ),
]


class WijkCreate(ApiInput):
    code: WijkCode
    name: WijkName
    municipality_code: MunicipalityCode = Field(
        description="Must match the wijk code: WK0106xx lies in GM0106."
    )
    buurten: list[BuurtCode] = Field(default_factory=list, max_length=100)
    boundary: GeoJsonBoundary | None = None
    indicators: list[ProblemIndicator] = Field(default_factory=list, description="Problem indicators.")
    postcode_ranges: PostcodeRanges = Field(default_factory=list)


class WijkUpdate(ApiPatch):
    nullable = frozenset({"boundary"})

    code: WijkCode | None = None
    name: WijkName | None = None
    municipality_code: MunicipalityCode | None = None
    buurten: list[BuurtCode] | None = Field(default=None, max_length=100)
    boundary: GeoJsonBoundary | None = Field(default=None, description="null removes the boundary.")
    indicators: list[ProblemIndicator] | None = None
    postcode_ranges: PostcodeRanges | None = None
    active: bool | None = None


class WijkRead(ApiModel):
    id: UUID
    code: str
    name: str
    municipality_code: str
    buurten: list[str]
    boundary: GeoJsonBoundaryRead | None
    indicators: list[ProblemIndicator]
    postcode_ranges: list[PostcodeRangeRead]
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, wijk: Wijk) -> WijkRead:
        return cls(
            id=wijk.id,
            code=wijk.code,
            name=wijk.name,
            municipality_code=wijk.municipality_code,
            buurten=list(wijk.buurten),
            boundary=GeoJsonBoundaryRead(**wijk.boundary) if wijk.boundary else None,
            indicators=sorted(wijk.indicators),
            postcode_ranges=[
                PostcodeRangeRead(from_postcode=r.from_postcode, to_postcode=r.to_postcode) for r in wijk.postcode_ranges
            ],
            active=wijk.active,
            created_at=wijk.created_at,
            updated_at=wijk.updated_at,
        )


class WorkedWijkMember(ApiModel):
    """A member of a koppel that worked the wijk on the day asked about."""

    koppel_id: UUID
    koppel_name: str
    membership_id: UUID
    user_id: UUID
    display_name: str
    koppel_role: KoppelRole
    joined_on: date
    left_on: date | None


class WijkKoppelMembers(ApiModel):
    wijk_id: UUID
    on: date = Field(description="The day asked about.")
    items: list[WorkedWijkMember]

    @classmethod
    def of(cls, wijk_id: UUID, on: date, worked: list[WorkedWijk]) -> WijkKoppelMembers:
        return cls(
            wijk_id=wijk_id,
            on=on,
            items=[
                WorkedWijkMember(
                    koppel_id=w.koppel_id,
                    koppel_name=w.koppel_name,
                    membership_id=w.membership.id,
                    user_id=w.membership.user_id,
                    display_name=w.membership.display_name,
                    koppel_role=w.membership.koppel_role,
                    joined_on=w.membership.joined_on,
                    left_on=w.membership.left_on,
                )
                for w in worked
            ],
        )
