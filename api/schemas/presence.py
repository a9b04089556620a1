"""Presence on the wire, and the public view for residents (no personal data, no ids)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, ApiPatch, TimeOfDay
from domain.koppels import KoppelRole
from domain.presence import PresenceKind, PublicPresence, Weekday

Place = Annotated[str, Field(min_length=1, max_length=200, examples=["Buurthuis De Schakel, Oosterstraat 2"])]
Note = Annotated[str, Field(max_length=500)]


class PresenceCreate(ApiInput):
    kind: PresenceKind = Field(description="`weekly`: every week on `weekday`; `once`: on `occursOn`.")
    weekday: Weekday | None = Field(default=None, description="For weekly presence.")
    occurs_on: date | None = Field(default=None, description="For one-off presence.")
    start_time: TimeOfDay = Field(description="Local time, HH:MM.")
    end_time: TimeOfDay = Field(description="Local time, HH:MM; after startTime.")
    place: Place
    note: Note | None = Field(default=None, description="Public: shown to residents.")


class PresenceUpdate(ApiPatch):
    nullable = frozenset({"note"})

    weekday: Weekday | None = None
    occurs_on: date | None = None
    start_time: TimeOfDay | None = None
    end_time: TimeOfDay | None = None
    place: Place | None = None
    note: Note | None = None


class PresenceRead(ApiModel):
    id: UUID
    koppel_id: UUID
    kind: PresenceKind
    weekday: Weekday | None
    occurs_on: date | None
    start_time: TimeOfDay
    end_time: TimeOfDay
    place: str
    note: str | None
    created_at: datetime
    updated_at: datetime


# --- public ------------------------------------------------------------------------------------


class PublicProfessional(ApiModel):
    display_name: str
    koppel_role: KoppelRole


class PublicWeeklyPresence(ApiModel):
    weekday: Weekday
    start_time: TimeOfDay
    end_time: TimeOfDay
    place: str
    note: str | None


class PublicOneOffPresence(ApiModel):
    occurs_on: date
    start_time: TimeOfDay
    end_time: TimeOfDay
    place: str
    note: str | None


class PublicKoppelPresence(ApiModel):
    koppel_name: str
    professionals: list[PublicProfessional]
    weekly: list[PublicWeeklyPresence]
    upcoming: list[PublicOneOffPresence] = Field(description="One-off presence in the coming eight weeks.")


class PublicWijkPresence(ApiModel):
    """Where and when residents of a wijk can meet their koppel. Public: professionals' names and
    roles, times and places — nothing else."""

    wijk_code: str
    wijk_name: str
    koppels: list[PublicKoppelPresence]

    @classmethod
    def of(cls, presence: PublicPresence) -> PublicWijkPresence:
        return cls(
            wijk_code=presence.wijk_code,
            wijk_name=presence.wijk_name,
            koppels=[
                PublicKoppelPresence(
                    koppel_name=k.koppel_name,
                    professionals=[PublicProfessional.model_validate(p) for p in k.professionals],
                    weekly=[PublicWeeklyPresence.model_validate(p) for p in k.weekly],
                    upcoming=[PublicOneOffPresence.model_validate(p) for p in k.upcoming],
                )
                for k in presence.koppels
            ],
        )
