"""Tables for the outside systems: stored idempotency keys, the wijken an organisation serves, and the
signals' change log (the housing corporations' status feed). On the shared metadata (persistence.tables
imports this module), so migrations, the schema-drift test and the test wiper see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from persistence.tables import instant


class IdempotencyKeyRow(SQLModel, table=True):
    """A POST a caller marked with an `Idempotency-Key`, and the response it got.

    The row is inserted first, in the same transaction as the work, and completed with the response
    before that transaction commits: a committed row always holds its response, and a second request
    with the same key waits on the primary key until the first one has committed or rolled back.
    """

    __tablename__ = "idempotency_key"

    principal_subject: str = Field(primary_key=True, max_length=80)
    idempotency_key: str = Field(primary_key=True, max_length=255)
    request_method: str = Field(max_length=8)
    request_path: str = Field(max_length=500)
    request_fingerprint: str = Field(max_length=64)
    response_status: int | None = None
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    response_headers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_column=instant())
    expires_at: datetime = Field(sa_column=instant())


class ServiceAreaRow(SQLModel, table=True):
    """A wijk, or a whole municipality, that an organisation serves (a housing corporation's intake
    maps its signals to these wijken)."""

    __tablename__ = "service_area"
    __table_args__ = (
        UniqueConstraint("organisation_id", "wijk_id"),
        UniqueConstraint("organisation_id", "municipality_code"),
        CheckConstraint("(wijk_id IS NULL) <> (municipality_code IS NULL)", name="wijk_or_municipality"),
    )

    id: UUID = Field(primary_key=True)
    organisation_id: UUID = Field(foreign_key="organisation.id")
    wijk_id: UUID | None = Field(default=None, foreign_key="wijk.id")
    municipality_code: str | None = Field(default=None, max_length=6)
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class SignalChangeRow(SQLModel, table=True):
    """The signals' change log: one row per change, numbered by the database in a strictly increasing
    sequence that follows commit order (see persistence.change_logs). The submitting organisation and
    the status at the time are copied so the feed filters without the signal."""

    __tablename__ = "signal_change"
    # SQLite: AUTOINCREMENT, so a number is never handed out twice.
    __table_args__ = {"sqlite_autoincrement": True}

    change_seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    signal_id: UUID = Field(foreign_key="signal.id")
    organisation_id: UUID
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    signal_version: int
    occurred_at: datetime = Field(sa_column=instant())


Index("ix_idempotency_key_expires_at", IdempotencyKeyRow.expires_at)  # type: ignore[arg-type]
Index("ix_service_area_organisation_id", ServiceAreaRow.organisation_id)  # type: ignore[arg-type]
Index("ix_signal_change_organisation_id_change_seq", SignalChangeRow.organisation_id, SignalChangeRow.change_seq)  # type: ignore[arg-type]
Index("ix_signal_change_signal_id", SignalChangeRow.signal_id)  # type: ignore[arg-type]
