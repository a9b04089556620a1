"""Shared goals of a wijk and their quarterly reviews on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.casework import ActorRead, sorted_ids
from api.schemas.common import ApiInput, ApiModel, ApiPatch
from domain.goals import Goal, GoalStatus, Review, Target

Title = Annotated[str, Field(min_length=1, max_length=200)]
Indicator = Annotated[
    str, Field(min_length=1, max_length=2000, examples=["Aantal meldingen van jongerenoverlast per kwartaal"])
]
Amount = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=2000, le=2100, examples=[2026])]
Note = Annotated[str, Field(max_length=2000)]


class TargetIn(ApiInput):
    value: Amount
    unit: str = Field(min_length=1, max_length=50, examples=["meldingen"])

    def to_domain(self) -> Target:
        return Target(self.value, self.unit)


class TargetRead(ApiModel):
    value: float
    unit: str


class GoalCreate(ApiInput):
    year: Year
    title: Title
    indicator: Indicator = Field(description="What is measured.")
    target: TargetIn
    partner_ids: list[UUID] = Field(default_factory=list, max_length=20, description="Partner organisations.")

    def to_fields(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "title": self.title,
            "indicator": self.indicator,
            "target": self.target.to_domain(),
            "partner_ids": frozenset(self.partner_ids),
        }


class GoalUpdate(ApiPatch):
    title: Title | None = None
    indicator: Indicator | None = None
    target: TargetIn | None = None
    partner_ids: list[UUID] | None = Field(default=None, max_length=20)
    status: GoalStatus | None = Field(
        default=None,
        description="active → achieved | dropped; achieved or dropped → active again while fewer than three "
        "goals of that year are active (409 otherwise).",
    )

    def domain_changes(self) -> dict[str, Any]:
        changes = self.changes()
        if "target" in changes:
            assert self.target is not None
            changes["target"] = self.target.to_domain()
        if "partner_ids" in changes:
            changes["partner_ids"] = frozenset(self.partner_ids or ())
        return changes


class GoalRead(ApiModel):
    id: UUID
    wijk_id: UUID
    year: int
    title: str
    indicator: str
    target: TargetRead
    partner_ids: list[UUID]
    status: GoalStatus
    created_by: ActorRead
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, g: Goal) -> GoalRead:
        return cls(
            id=g.id,
            wijk_id=g.wijk_id,
            year=g.year,
            title=g.title,
            indicator=g.indicator,
            target=TargetRead(value=g.target.value, unit=g.target.unit),
            partner_ids=sorted_ids(g.partner_ids),
            status=g.status,
            created_by=ActorRead.of(g.created_by),
            created_at=g.created_at,
            updated_at=g.updated_at,
        )


class ReviewCreate(ApiInput):
    year: Year = Field(description="The goal's year.")
    quarter: int = Field(ge=1, le=4, description="1–4; a quarter that has begun; one review per quarter.")
    value: Amount = Field(description="The indicator's value over the quarter.")
    note: Note | None = None


class ReviewUpdate(ApiPatch):
    nullable = frozenset({"note"})

    value: Amount | None = None
    note: Note | None = None


class ReviewRead(ApiModel):
    id: UUID
    goal_id: UUID
    year: int
    quarter: int
    value: float
    note: str | None
    recorded_by: ActorRead
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Review) -> ReviewRead:
        return cls(
            id=r.id,
            goal_id=r.goal_id,
            year=r.year,
            quarter=r.quarter,
            value=r.value,
            note=r.note,
            recorded_by=ActorRead.of(r.recorded_by),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
