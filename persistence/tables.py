"""SQLModel tables. These are storage, not request/response models (they skip validation).

The naming convention is set on the shared metadata before the first table, so every
constraint has a predictable name that migrations can refer to on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, Index, MetaData
from sqlmodel import Field, SQLModel

from persistence.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


def instant(*, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"

    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32, index=True)
    municipality_code: str | None = Field(default=None, max_length=6)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class UserRow(SQLModel, table=True):
    __tablename__ = "user_account"

    id: UUID = Field(primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    organisation_id: UUID = Field(foreign_key="organisation.id", index=True)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ClientRow(SQLModel, table=True):
    __tablename__ = "api_client"

    id: UUID = Field(primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    organisation_id: UUID = Field(foreign_key="organisation.id", index=True)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class LoginThrottleRow(SQLModel, table=True):
    __tablename__ = "login_throttle"

    login_name: str = Field(primary_key=True, max_length=100)
    failed_count: int = 0
    last_failed_at: datetime = Field(sa_column=instant())
    locked_until: datetime | None = Field(default=None, sa_column=instant(nullable=True))


Index("ix_organisation_name_id", OrganisationRow.name, OrganisationRow.id)  # type: ignore[arg-type]
