"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants; SQLite has no time zones, so values are normalised both ways."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # Keyset cursors decode their values by the column's python_type (persistence.pagination).
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: instants are timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # asyncpg decodes timestamptz as aware datetimes in UTC (datetime.timezone.utc, which is UTC)
        # already: no call per value. A page of 500 feed changes carries 2 500 instants.
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=Enum)


def member_of(enum: type[E]) -> Callable[[Any], E]:
    """The member of `enum` stored as a value: a dictionary lookup, for rows read by the page (calling
    the enum class costs ten times as much, four times per signal of a page)."""
    return {member.value: member for member in enum}.__getitem__


T = TypeVar("T")


def read_entity(cls: type[T], **fields: Any) -> T:
    """An entity of a frozen dataclass, from the values a row of the store holds for its fields: the
    same object `cls(**fields)` builds, without the generated __init__ setting each field in turn
    through object.__setattr__ (the price of frozen, about 2 µs for a signal, a tenth of a page of 50).
    Only for dataclasses whose __init__ does nothing else (no __post_init__, no slots, every field
    given); tests/unit/test_read_entity.py holds the two equal."""
    entity = object.__new__(cls)
    entity.__dict__.update(fields)
    return entity
