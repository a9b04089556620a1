"""Keyset pagination: stable order on (sort columns…, id) and an opaque cursor of the last key.

Keyset rather than OFFSET so a page costs the same at row 10 and at row 1 000 000, and a
row inserted meanwhile never shifts the pages a client is walking through.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.pagination import Page, PageRequest

T = TypeVar("T")


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """Opaque to clients; just the last row's sort key, URL-safe."""
    return base64.urlsafe_b64encode(orjson.dumps([_plain(v) for v in values])).decode().rstrip("=")


def decode_cursor(cursor: str, columns: Sequence[Any]) -> list[Any]:
    """Parse a cursor back into typed key values; anything malformed is a 400 on `cursor`."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise ValueError("wrong shape")
        values = []
        for column, value in zip(columns, raw, strict=True):
            python_type = column.type.python_type
            if value is None or python_type is object:  # sqlmodel's AutoString reports `object`
                values.append(value)
            elif python_type is datetime:
                instant = datetime.fromisoformat(value)
                if instant.tzinfo is None:  # cursors carry instants with their offset, as issued
                    raise ValueError("an instant without its offset")
                values.append(instant)
            elif python_type is date:
                values.append(date.fromisoformat(value))
            elif python_type is UUID:
                values.append(UUID(value))
            else:
                values.append(python_type(value))
        return values
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError, NotImplementedError) as exc:
        raise InvalidInput.field("cursor", "not a cursor this API issued", code="invalid_cursor") from exc


def after(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in ascending (columns…) order: (a, b) > (x, y) written out as
    a > x OR (a = x AND b > y), which every database evaluates alike, behind `a >= x`. An index
    along (…, a, b) cannot start at an OR of conditions, only filter with it, so without that
    redundant bound each page would walk every entry before the cursor and a deep page would cost
    more than the first; with it the walk starts at the cursor (tests/integration/test_cursor_bound.py)."""
    clauses = []
    for i, column in enumerate(columns):
        equal_prefix = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal_prefix, column > values[i]))
    return and_(columns[0] >= values[0], or_(*clauses))


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any],
    order_columns: Sequence[Any],
    page: PageRequest,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Run `stmt` ordered by `order_columns` after the cursor, one row more than the limit."""
    if page.cursor:
        stmt = stmt.where(after(order_columns, decode_cursor(page.cursor, order_columns)))
    stmt = stmt.order_by(*order_columns).limit(page.limit + 1)
    return page_of_rows((await session.execute(stmt)).mappings().all(), order_columns, page, to_item)


def page_of_rows(rows: Sequence[Any], order_columns: Sequence[Any], page: PageRequest, to_item: Callable[[Any], T]) -> Page[T]:
    """A page from up to limit + 1 rows read in order (the extra one only tells there is more)."""
    shown = rows[: page.limit]
    next_cursor = None
    if len(rows) > page.limit and shown:
        next_cursor = encode_cursor([shown[-1][c.key] for c in order_columns])
    return Page(items=[to_item(r) for r in shown], next_cursor=next_cursor)


async def fetch_page_by_partition(
    session: AsyncSession,
    stmt: Select[Any],
    partition: Any,
    keys: Sequence[Any],
    order_columns: Sequence[Any],
    page: PageRequest,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """fetch_page for the rows whose `partition` column holds one of `keys` (the wijken in a caller's
    scope), for the embedded SQLite database and for no keys at all. On PostgreSQL the lists read such
    pages with a partitioned_page statement: `partition IN (…) ORDER BY …` would make PostgreSQL read
    every row of every partition and sort them, so a page would cost more as the wijken fill up."""
    if len(keys) == 1:  # most koppels work one wijk: a plain equality, no IN list rendered per request
        return await fetch_page(session, stmt.where(partition == keys[0]), order_columns, page, to_item)
    return await fetch_page(session, stmt.where(partition.in_(list(keys))), order_columns, page, to_item)


def partitioned_page(
    stmt: Select[Any], partition: Any, order_columns: Sequence[Any], *, many: bool, after_cursor: bool
) -> Select[Any]:
    """A page of `stmt`'s rows in one or `many` partitions, ordered by `order_columns`, every value a
    named parameter (partitioned_page_values), so one statement serves every request of its shape.

    Over many partitions a LATERAL join over the keys (one bound array, whatever their number) takes
    at most limit + 1 rows from each along its (partition, order…) index, and the parts are merged."""
    if after_cursor:
        stmt = stmt.where(after(order_columns, [bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(order_columns)]))
    limit = bindparam("page_limit", type_=Integer)
    if not many:
        key = bindparam("partition_key", type_=partition.type)
        return stmt.where(partition == key).order_by(*order_columns).limit(limit)
    array = bindparam("partition_keys", type_=ARRAY(partition.type))
    wanted = func.unnest(array).table_valued("key").render_derived(name="wanted")
    part = stmt.where(partition == wanted.c.key).order_by(*order_columns).limit(limit).lateral("part")
    return (
        select(part)
        .select_from(wanted)
        .join(part, true())
        .order_by(*[part.c[c.key] for c in order_columns])
        .limit(limit)
    )


@dataclass(frozen=True)
class PageShape:
    """What a page statement of partitioned_page depends on, apart from the values bound into it:
    which filters were given (by parameter name), one partition or many, after a cursor or not. A
    statement is built and compiled once per shape."""

    filters: tuple[str, ...]
    many_partitions: bool
    after_cursor: bool

    @classmethod
    def of(cls, filters: Mapping[str, Any], keys: Sequence[Any], page: PageRequest) -> PageShape:
        return cls(tuple(filters), many_partitions=len(keys) > 1, after_cursor=bool(page.cursor))

    def page(self, stmt: Select[Any], partition: Any, order_columns: Sequence[Any]) -> Select[Any]:
        """partitioned_page of `stmt` for this shape."""
        return partitioned_page(stmt, partition, order_columns, many=self.many_partitions, after_cursor=self.after_cursor)


def partitioned_page_values(keys: Sequence[Any], order_columns: Sequence[Any], page: PageRequest) -> dict[str, Any]:
    """The parameters of partitioned_page for these keys and this page (a malformed cursor is a 400)."""
    values: dict[str, Any] = {"page_limit": page.limit + 1}
    if len(keys) == 1:
        values["partition_key"] = keys[0]
    else:
        values["partition_keys"] = list(keys)
    if page.cursor:
        for i, value in enumerate(decode_cursor(page.cursor, order_columns)):
            values[f"after_{i}"] = value
    return values
