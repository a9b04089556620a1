"""Casework tables: signals, interventions, agenda items (with their change log) and goals.

Storage, not request/response models. Registered on the shared metadata (persistence.tables
imports this module), so migrations, the schema-drift test and the test wiper see them.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Integer, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from persistence.tables import instant


def _one_actor(prefix: str) -> CheckConstraint:
    """Who did something is a staff user or a system client: exactly one of the two columns is set."""
    return CheckConstraint(f"({prefix}_user_id IS NULL) <> ({prefix}_client_id IS NULL)", name=f"one_{prefix}")


# --- signals -----------------------------------------------------------------------------------


class SignalRow(SQLModel, table=True):
    __tablename__ = "signal"
    __table_args__ = (
        # A corporation's own reference identifies its signal: a re-sent one is never stored twice.
        UniqueConstraint("submitted_by_organisation_id", "external_reference"),
        CheckConstraint(
            "(location_postcode IS NULL) = (location_house_number IS NULL)", name="address_complete"
        ),
        CheckConstraint("(location_latitude IS NULL) = (location_longitude IS NULL)", name="point_complete"),
        _one_actor("recorded_by"),
    )

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    source: str = Field(max_length=32)
    category: str = Field(max_length=32)
    description: str = Field(sa_column=Column(Text, nullable=False))
    urgency: str = Field(max_length=16)
    location_postcode: str | None = Field(default=None, max_length=6)
    location_house_number: int | None = None
    location_house_number_addition: str | None = Field(default=None, max_length=4)
    location_latitude: float | None = None
    location_longitude: float | None = None
    status: str = Field(max_length=16)
    submitted_by_organisation_id: UUID = Field(foreign_key="organisation.id")
    external_reference: str | None = Field(default=None, max_length=100)
    recorded_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    recorded_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    first_action_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class SignalStatusChangeRow(SQLModel, table=True):
    __tablename__ = "signal_status_change"
    __table_args__ = (UniqueConstraint("signal_id", "at_version"), _one_actor("changed_by"))

    id: UUID = Field(primary_key=True)
    signal_id: UUID = Field(foreign_key="signal.id")
    at_version: int
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    changed_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    changed_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    changed_at: datetime = Field(sa_column=instant())


# --- interventions -----------------------------------------------------------------------------


class InterventionRow(SQLModel, table=True):
    __tablename__ = "intervention"
    __table_args__ = (
        CheckConstraint("(outcome_result IS NULL) = (outcome_text IS NULL)", name="outcome_complete"),
        CheckConstraint("(closed_at IS NULL) = (outcome_result IS NULL)", name="closed_with_outcome"),
        _one_actor("created_by"),
    )

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    koppel_id: UUID = Field(foreign_key="koppel.id")
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    phase: str = Field(max_length=16)
    follow_up_on: date | None = None
    outcome_result: str | None = Field(default=None, max_length=16)
    outcome_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    created_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    created_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class InterventionPhaseChangeRow(SQLModel, table=True):
    __tablename__ = "intervention_phase_change"
    __table_args__ = (UniqueConstraint("intervention_id", "at_version"), _one_actor("changed_by"))

    id: UUID = Field(primary_key=True)
    intervention_id: UUID = Field(foreign_key="intervention.id")
    at_version: int
    from_phase: str | None = Field(default=None, max_length=16)
    to_phase: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    follow_up_on: date | None = None
    changed_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    changed_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    changed_at: datetime = Field(sa_column=instant())


class InterventionSignalRow(SQLModel, table=True):
    __tablename__ = "intervention_signal"

    intervention_id: UUID = Field(foreign_key="intervention.id", primary_key=True)
    signal_id: UUID = Field(foreign_key="signal.id", primary_key=True)


# --- agenda items ------------------------------------------------------------------------------


class AgendaItemRow(SQLModel, table=True):
    __tablename__ = "agenda_item"
    __table_args__ = (_one_actor("raised_by"),)

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    theme: str = Field(max_length=32)
    priority: str = Field(max_length=16)
    addressee_kind: str = Field(max_length=32)
    addressee_organisation_id: UUID | None = Field(default=None, foreign_key="organisation.id")
    status: str = Field(max_length=16)
    addressee_reference: str | None = Field(default=None, max_length=100)
    response: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    withdrawal_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    raised_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    raised_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    submitted_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class AgendaItemSignalRow(SQLModel, table=True):
    __tablename__ = "agenda_item_signal"

    agenda_item_id: UUID = Field(foreign_key="agenda_item.id", primary_key=True)
    signal_id: UUID = Field(foreign_key="signal.id", primary_key=True)


class AgendaItemInterventionRow(SQLModel, table=True):
    __tablename__ = "agenda_item_intervention"

    agenda_item_id: UUID = Field(foreign_key="agenda_item.id", primary_key=True)
    intervention_id: UUID = Field(foreign_key="intervention.id", primary_key=True)


class AgendaItemChangeRow(SQLModel, table=True):
    """The agenda items' change log: one row per change, numbered by the database in a strictly
    increasing sequence. No foreign key to agenda_item: a tombstone outlives the item it reports.
    The addressee and status at the time are copied so a feed can filter without the item. Numbers
    follow commit order (see persistence.change_logs)."""

    __tablename__ = "agenda_item_change"
    # SQLite: AUTOINCREMENT, so a number is never handed out twice, even after the newest row is gone.
    __table_args__ = {"sqlite_autoincrement": True}

    change_seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    agenda_item_id: UUID
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    wijk_id: UUID
    addressee_kind: str = Field(max_length=32)
    addressee_organisation_id: UUID | None = None
    item_version: int
    # The addressee has (or, for a withdrawal, had) the item on its agenda: its feed shows this change.
    submitted: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    occurred_at: datetime = Field(sa_column=instant())


# --- goals -------------------------------------------------------------------------------------


class GoalRow(SQLModel, table=True):
    __tablename__ = "goal"
    __table_args__ = (
        # At most three active goals per wijk and year, even under concurrent writers: an active goal
        # holds one of three numbered places, unique per wijk and year (NULLs do not collide).
        UniqueConstraint("wijk_id", "year", "active_place"),
        CheckConstraint("active_place IS NULL OR active_place BETWEEN 1 AND 3", name="active_place_range"),
        CheckConstraint("(status = 'active') = (active_place IS NOT NULL)", name="active_has_place"),
        _one_actor("created_by"),
    )

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    year: int
    title: str = Field(max_length=200)
    indicator: str = Field(sa_column=Column(Text, nullable=False))
    target_value: float
    target_unit: str = Field(max_length=50)
    status: str = Field(max_length=16)
    active_place: int | None = None
    created_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    created_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class GoalPartnerRow(SQLModel, table=True):
    __tablename__ = "goal_partner"

    goal_id: UUID = Field(foreign_key="goal.id", primary_key=True)
    organisation_id: UUID = Field(foreign_key="organisation.id", primary_key=True)


class GoalReviewRow(SQLModel, table=True):
    __tablename__ = "goal_review"
    __table_args__ = (
        UniqueConstraint("goal_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        _one_actor("recorded_by"),
    )

    id: UUID = Field(primary_key=True)
    goal_id: UUID = Field(foreign_key="goal.id")
    year: int
    quarter: int
    value: float
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recorded_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    recorded_by_client_id: UUID | None = Field(default=None, foreign_key="api_client.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


# Indexes that fit the scoped, filtered lists (keyset order: created_at, id) and the link lookups.
# The wijk + instant indexes carry what the statistics count by (PostgreSQL: index-only scans; 0008).
Index(
    "ix_signal_wijk_id_created_at_id",
    SignalRow.wijk_id,  # type: ignore[arg-type]
    SignalRow.created_at,  # type: ignore[arg-type]
    SignalRow.id,  # type: ignore[arg-type]
    postgresql_include=["category", "first_action_at"],
)
Index("ix_signal_created_at_id", SignalRow.created_at, SignalRow.id)  # type: ignore[arg-type]
Index(
    "ix_signal_submitted_by_organisation_id_created_at_id",
    SignalRow.submitted_by_organisation_id,  # type: ignore[arg-type]
    SignalRow.created_at,  # type: ignore[arg-type]
    SignalRow.id,  # type: ignore[arg-type]
)
# A koppel's signals of one status in keyset order, for any status (0011).
Index(
    "ix_signal_status_wijk_id_created_at_id",
    SignalRow.status,  # type: ignore[arg-type]
    SignalRow.wijk_id,  # type: ignore[arg-type]
    SignalRow.created_at,  # type: ignore[arg-type]
    SignalRow.id,  # type: ignore[arg-type]
)
Index(
    "ix_intervention_wijk_id_created_at_id",
    InterventionRow.wijk_id,  # type: ignore[arg-type]
    InterventionRow.created_at,  # type: ignore[arg-type]
    InterventionRow.id,  # type: ignore[arg-type]
    postgresql_include=["phase"],
)
Index("ix_intervention_koppel_id_created_at", InterventionRow.koppel_id, InterventionRow.created_at)  # type: ignore[arg-type]
Index("ix_intervention_signal_signal_id", InterventionSignalRow.signal_id)  # type: ignore[arg-type]
Index(
    "ix_agenda_item_wijk_id_created_at_id",
    AgendaItemRow.wijk_id,  # type: ignore[arg-type]
    AgendaItemRow.created_at,  # type: ignore[arg-type]
    AgendaItemRow.id,  # type: ignore[arg-type]
)
Index("ix_agenda_item_addressee_kind_status", AgendaItemRow.addressee_kind, AgendaItemRow.status)  # type: ignore[arg-type]
Index("ix_agenda_item_signal_signal_id", AgendaItemSignalRow.signal_id)  # type: ignore[arg-type]
Index("ix_agenda_item_intervention_intervention_id", AgendaItemInterventionRow.intervention_id)  # type: ignore[arg-type]
Index("ix_agenda_item_change_agenda_item_id", AgendaItemChangeRow.agenda_item_id)  # type: ignore[arg-type]
Index("ix_agenda_item_change_addressee_kind_change_seq", AgendaItemChangeRow.addressee_kind, AgendaItemChangeRow.change_seq)  # type: ignore[arg-type]
Index("ix_goal_wijk_id_year_title_id", GoalRow.wijk_id, GoalRow.year, GoalRow.title, GoalRow.id)  # type: ignore[arg-type]
