"""Tables for residents' personal data: residents, notes and their revisions, consents, and the
audit trail. On the shared metadata (persistence.tables), so the naming convention applies.

Which columns hold personal values matters for erasure (domain.rights): on `resident` every
column but the id, the wijk, the key-figure flag, the birth decade, the activity and anonymisation
bookkeeping and the timestamps; all of `resident_note` and `resident_note_revision` (rows deleted);
`resident_consent.purpose`. `audit_event` holds identifiers and field names only.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from persistence.tables import instant


class ResidentRow(SQLModel, table=True):
    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint("huisnummer IS NULL OR (huisnummer >= 1 AND huisnummer <= 99999)", name="huisnummer_range"),
        CheckConstraint(
            "anonymised_at IS NULL OR (given_name IS NULL AND family_name IS NULL AND search_name IS NULL "
            "AND postcode IS NULL AND huisnummer IS NULL AND toevoeging IS NULL AND nummeraanduiding_id IS NULL "
            "AND phone IS NULL AND email IS NULL AND birth_year IS NULL)",
            name="anonymised_is_empty",
        ),
    )

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    # Names folded for search (lower case, no diacritics); erased with them.
    search_name: str | None = Field(default=None, max_length=210)
    postcode: str | None = Field(default=None, max_length=6)
    huisnummer: int | None = None
    toevoeging: str | None = Field(default=None, max_length=6)
    nummeraanduiding_id: str | None = Field(default=None, max_length=16)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    birth_year: int | None = None
    birth_decade: int | None = None
    is_key_figure: bool = False
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    last_activity_at: datetime = Field(sa_column=instant())
    anonymised_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    anonymised_reason: str | None = Field(default=None, max_length=16)
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ResidentNoteRow(SQLModel, table=True):
    __tablename__ = "resident_note"

    id: UUID = Field(primary_key=True)
    resident_id: UUID = Field(foreign_key="resident.id")
    author_id: UUID = Field(foreign_key="user_account.id")
    author_organisation_id: UUID = Field(foreign_key="organisation.id")
    author_role: str = Field(max_length=32)
    category: str = Field(max_length=32)
    visibility: str = Field(max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    revision: int = 1
    retracted_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ResidentNoteRevisionRow(SQLModel, table=True):
    """A replaced version of a note: corrections never overwrite history."""

    __tablename__ = "resident_note_revision"
    __table_args__ = (UniqueConstraint("note_id", "revision"),)

    id: UUID = Field(primary_key=True)
    note_id: UUID = Field(foreign_key="resident_note.id")
    resident_id: UUID = Field(foreign_key="resident.id", index=True)
    revision: int
    category: str = Field(max_length=32)
    visibility: str = Field(max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    written_at: datetime = Field(sa_column=instant())
    replaced_at: datetime = Field(sa_column=instant())


class ResidentConsentRow(SQLModel, table=True):
    __tablename__ = "resident_consent"

    id: UUID = Field(primary_key=True)
    resident_id: UUID = Field(foreign_key="resident.id")
    organisation_id: UUID = Field(foreign_key="organisation.id")
    scope: list[str] = Field(sa_column=Column(JSON, nullable=False))
    purpose: str | None = Field(default=None, max_length=500)
    given_how: str = Field(max_length=16)
    given_at: datetime = Field(sa_column=instant())
    recorded_by_id: UUID = Field(foreign_key="user_account.id")
    recorded_by_organisation_id: UUID = Field(foreign_key="organisation.id")
    withdrawn_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    withdrawn_by_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class AuditEventRow(SQLModel, table=True):
    """Append-only (a trigger refuses changes); no foreign keys, so the trail outlives anything."""

    __tablename__ = "audit_event"

    id: UUID = Field(primary_key=True)
    occurred_at: datetime = Field(sa_column=instant())
    actor_kind: str = Field(max_length=16)
    actor_id: UUID | None = None
    actor_role: str | None = Field(default=None, max_length=32)
    actor_organisation_id: UUID | None = None
    action: str = Field(max_length=32)
    resident_id: UUID
    record_kind: str = Field(max_length=16)
    record_id: UUID
    fields: list[str] = Field(sa_column=Column(JSON, nullable=False))
    purpose: str | None = Field(default=None, max_length=200)
    request_id: str | None = Field(default=None, max_length=128, index=True)


# Indexes for the scoped search, retention selection, the per-resident lists and the audit queries.
Index("ix_resident_wijk_id_created_at_id", ResidentRow.wijk_id, ResidentRow.created_at, ResidentRow.id)  # type: ignore[arg-type]
Index("ix_resident_postcode_huisnummer", ResidentRow.postcode, ResidentRow.huisnummer)  # type: ignore[arg-type]
Index("ix_resident_anonymised_at_last_activity_at", ResidentRow.anonymised_at, ResidentRow.last_activity_at)  # type: ignore[arg-type]
Index("ix_resident_note_resident_id_created_at_id", ResidentNoteRow.resident_id, ResidentNoteRow.created_at, ResidentNoteRow.id)  # type: ignore[arg-type]
Index("ix_resident_consent_resident_id_given_at_id", ResidentConsentRow.resident_id, ResidentConsentRow.given_at, ResidentConsentRow.id)  # type: ignore[arg-type]
Index("ix_audit_event_occurred_at_id", AuditEventRow.occurred_at, AuditEventRow.id)  # type: ignore[arg-type]
Index("ix_audit_event_resident_id_occurred_at_id", AuditEventRow.resident_id, AuditEventRow.occurred_at, AuditEventRow.id)  # type: ignore[arg-type]
Index("ix_audit_event_actor_id_occurred_at_id", AuditEventRow.actor_id, AuditEventRow.occurred_at, AuditEventRow.id)  # type: ignore[arg-type]
