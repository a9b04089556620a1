"""SQLModel tables. These are storage, not request/response models (they skip validation).

The naming convention is set on the shared metadata before the first table, so every
constraint has a predictable name that migrations can refer to on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, CheckConstraint, Column, Index, MetaData, Text
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


# --- the map: wijken, koppels, presence ------------------------------------------------------


class WijkRow(SQLModel, table=True):
    __tablename__ = "wijk"

    id: UUID = Field(primary_key=True)
    code: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=200)
    municipality_code: str = Field(max_length=6, index=True)
    buurten: list[str] = Field(sa_column=Column(JSON, nullable=False))
    boundary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # [[from, to], …] as normalised postcodes ("9401AA", "9401ZZ"), both inclusive; NULL: none known.
    postcode_ranges: list[list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    active: bool = True
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class WijkIndicatorRow(SQLModel, table=True):
    """One problem indicator of a wijk; a row per indicator so lists can filter on it."""

    __tablename__ = "wijk_indicator"

    wijk_id: UUID = Field(foreign_key="wijk.id", primary_key=True)
    indicator: str = Field(max_length=40, primary_key=True)


class KoppelRow(SQLModel, table=True):
    __tablename__ = "koppel"

    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    status: str = Field(max_length=16)
    starts_on: date
    ends_on: date | None = None
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class KoppelMemberRow(SQLModel, table=True):
    """A membership period; ended with `left_on`, never deleted (history of who worked where)."""

    __tablename__ = "koppel_member"

    id: UUID = Field(primary_key=True)
    koppel_id: UUID = Field(foreign_key="koppel.id", index=True)
    user_id: UUID = Field(foreign_key="user_account.id")
    koppel_role: str = Field(max_length=16)
    joined_on: date
    left_on: date | None = None
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class KoppelWijkRow(SQLModel, table=True):
    """A period in which a koppel works in a wijk; ended with `ends_on`, never deleted."""

    __tablename__ = "koppel_wijk"

    id: UUID = Field(primary_key=True)
    koppel_id: UUID = Field(foreign_key="koppel.id", index=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    starts_on: date
    ends_on: date | None = None
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class PresenceRow(SQLModel, table=True):
    __tablename__ = "presence"

    id: UUID = Field(primary_key=True)
    koppel_id: UUID = Field(foreign_key="koppel.id")
    kind: str = Field(max_length=16)
    weekday: int | None = None  # ISO 8601: 1 = Monday
    occurs_on: date | None = None
    start_time: str = Field(max_length=5)  # HH:MM, local time
    end_time: str = Field(max_length=5)
    place: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=500)
    sort_key: str = Field(max_length=32)
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


# --- the offer catalogue -----------------------------------------------------------------------


class OfferRow(SQLModel, table=True):
    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint(
            "provider_organisation_id IS NOT NULL OR volunteer_resident_id IS NOT NULL", name="has_provider"
        ),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: UUID = Field(primary_key=True)
    provider_organisation_id: UUID | None = Field(default=None, foreign_key="organisation.id", index=True)
    # A volunteering neighbour; the foreign key to residents arrives with the residents table.
    volunteer_resident_id: UUID | None = None
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    municipality_code: str | None = Field(default=None, max_length=6, index=True)
    capacity: int | None = None
    available: bool = True
    contact_route: str = Field(max_length=500)
    archived_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class OfferCategoryRow(SQLModel, table=True):
    __tablename__ = "offer_category"

    offer_id: UUID = Field(foreign_key="offer.id", primary_key=True)
    category: str = Field(max_length=32, primary_key=True)


class OfferWijkRow(SQLModel, table=True):
    __tablename__ = "offer_wijk"

    offer_id: UUID = Field(foreign_key="offer.id", primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id", primary_key=True)


# Indexes for the scoped lists and the scope queries (which filter on these leading columns).
Index("ix_wijk_indicator_indicator_wijk_id", WijkIndicatorRow.indicator, WijkIndicatorRow.wijk_id)  # type: ignore[arg-type]
Index("ix_koppel_name_id", KoppelRow.name, KoppelRow.id)  # type: ignore[arg-type]
Index("ix_koppel_member_user_id_joined_on", KoppelMemberRow.user_id, KoppelMemberRow.joined_on)  # type: ignore[arg-type]
Index("ix_koppel_wijk_wijk_id_starts_on", KoppelWijkRow.wijk_id, KoppelWijkRow.starts_on)  # type: ignore[arg-type]
Index("ix_presence_koppel_id_sort_key_id", PresenceRow.koppel_id, PresenceRow.sort_key, PresenceRow.id)  # type: ignore[arg-type]
Index("ix_offer_title_id", OfferRow.title, OfferRow.id)  # type: ignore[arg-type]
Index("ix_offer_category_category_offer_id", OfferCategoryRow.category, OfferCategoryRow.offer_id)  # type: ignore[arg-type]
Index("ix_offer_wijk_wijk_id_offer_id", OfferWijkRow.wijk_id, OfferWijkRow.offer_id)  # type: ignore[arg-type]
import persistence.tables_casework  # noqa: E402, F401 - registers the casework tables on `metadata`
import persistence.tables_integrations  # noqa: E402, F401 - registers the integration tables on `metadata`
import persistence.tables_referrals  # noqa: E402, F401 - registers the contact-moment and referral tables on `metadata`
import persistence.tables_residents  # noqa: E402, F401 - registers the residents tables on `metadata`
import persistence.tables_statistics  # noqa: E402, F401 - registers the statistics counts table on `metadata`
