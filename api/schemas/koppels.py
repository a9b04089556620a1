"""Koppels, their members and wijken on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, ApiPatch
from domain.koppels import KoppelDetails, KoppelRole, KoppelStatus

KoppelName = Annotated[str, Field(min_length=1, max_length=200)]
ENDS = "The first day on which it no longer holds (periods are half-open); null: open-ended."


class KoppelCreate(ApiInput):
    name: KoppelName
    starts_on: date
    ends_on: date | None = Field(default=None, description=ENDS)


class KoppelUpdate(ApiPatch):
    nullable = frozenset({"ends_on"})

    name: KoppelName | None = None
    starts_on: date | None = None
    ends_on: date | None = Field(default=None, description=ENDS)
    status: KoppelStatus | None = Field(
        default=None,
        description="`actief` activates the koppel: it needs a wijkagent and an opbouwwerker on every day "
        "from today on. An active koppel does not go back to `concept`; end it with endsOn.",
    )


class KoppelMemberRead(ApiModel):
    id: UUID
    koppel_id: UUID
    user_id: UUID
    display_name: str
    koppel_role: KoppelRole
    joined_on: date
    left_on: date | None = Field(description="From this day on the user is no longer a member.")
    created_at: datetime
    updated_at: datetime


class KoppelMemberCreate(ApiInput):
    user_id: UUID
    koppel_role: KoppelRole = Field(
        description="Must be the user's own role (a wijkagent is police staff, …)."
    )
    joined_on: date | None = Field(default=None, description="Default: today.")


class KoppelMemberUpdate(ApiPatch):
    nullable = frozenset({"left_on"})

    joined_on: date | None = None
    left_on: date | None = Field(
        default=None,
        description="End the membership: from this day on the member has no access. Today ends it now.",
    )


class KoppelWijkRead(ApiModel):
    id: UUID
    koppel_id: UUID
    wijk_id: UUID
    wijk_code: str
    wijk_name: str
    starts_on: date
    ends_on: date | None = Field(description=ENDS)
    created_at: datetime
    updated_at: datetime


class KoppelWijkCreate(ApiInput):
    wijk_id: UUID
    starts_on: date | None = Field(default=None, description="Default: today.")
    ends_on: date | None = Field(default=None, description=ENDS)


class KoppelWijkUpdate(ApiPatch):
    nullable = frozenset({"ends_on"})

    starts_on: date | None = None
    ends_on: date | None = Field(default=None, description=ENDS)


class KoppelRead(ApiModel):
    id: UUID
    name: str
    status: KoppelStatus
    starts_on: date
    ends_on: date | None = Field(description=ENDS)
    active: bool = Field(description="True when the koppel is `actief` and today lies in its period.")
    members: list[KoppelMemberRead] = Field(description="Current and upcoming members; history: /members.")
    wijken: list[KoppelWijkRead] = Field(description="Current and upcoming wijken; history: /wijken.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, details: KoppelDetails) -> KoppelRead:
        k = details.koppel
        return cls(
            id=k.id,
            name=k.name,
            status=k.status,
            starts_on=k.starts_on,
            ends_on=k.ends_on,
            active=details.active,
            members=[KoppelMemberRead.model_validate(m) for m in details.members],
            wijken=[KoppelWijkRead.model_validate(a) for a in details.wijken],
            created_at=k.created_at,
            updated_at=k.updated_at,
        )


def koppel_reads(items: list[Any]) -> list[KoppelRead]:
    return [KoppelRead.of(d) for d in items]
