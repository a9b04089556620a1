"""The wijk statistics' monthly counts (migration 0009) and versions (migration 0010): kept by database
triggers on the signal, contact_moment, intervention and referral tables, never written by the service.

Imported by persistence.statistics, which the unit of work imports, so the table is on `metadata` for
the schema-drift test and the test wiper like every other.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

import persistence.tables  # noqa: F401 - the shared metadata and its naming convention come first


class StatisticsMonthCountRow(SQLModel, table=True):
    """How many rows of `series` (a table) fall in the wijk's local month with this group (category,
    kind, phase or status). Several slots may hold parts of one count: readers sum them."""

    __tablename__ = "statistics_month_count"

    wijk_id: UUID = Field(primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # "2026-03", Europe/Amsterdam
    series: str = Field(primary_key=True, max_length=16)
    group_key: str = Field(primary_key=True, max_length=32)
    slot: int = Field(primary_key=True)
    n: int


class StatisticsVersionRow(SQLModel, table=True):
    """A part of the wijk's statistics version: raised by every write of `series` (a table) in the
    wijk. The version is the sum of the wijk's rows; it only grows."""

    __tablename__ = "statistics_version"

    wijk_id: UUID = Field(primary_key=True)
    series: str = Field(primary_key=True, max_length=16)
    slot: int = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
