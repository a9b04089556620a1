"""Contact moments with the residents involved: on PostgreSQL a page brings its residents along and stores
its audit events in the same statement, elsewhere the residents of a page are read in one query and its
events appended in another."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    update,
)

from domain.audit import AuditStamp
from domain.casework import Actor
from domain.contact_moments import ContactKind, ContactMoment, ContactMomentFilter
from domain.identity import PrincipalKind
from domain.pagination import Page, PageRequest
from persistence.db import DriverStatement, on_postgresql
from persistence.pagination import (
    PageShape,
    fetch_page_by_partition,
    page_of_rows,
    partitioned_page_values,
)
from persistence.repositories import TableRepository
from persistence.residents import (
    AUDIT_COLUMNS,
    NEW_EVENT_ID_SQL,
    SHARED_AUDIT_COLUMNS,
    SqlAuditRepository,
    audit_row,
)
from persistence.tables import UserRow
from persistence.tables_referrals import ContactMomentResidentRow, ContactMomentRow
from persistence.tables_residents import AuditEventRow
from persistence.types import member_of

MOMENT: Table = ContactMomentRow.__table__  # type: ignore[assignment]
INVOLVED: Table = ContactMomentResidentRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEventRow.__table__  # type: ignore[assignment]


_KIND = member_of(ContactKind)


def _moment(row: Mapping[str, Any], resident_ids: Any = ()) -> ContactMoment:
    return ContactMoment(
        id=row["id"],
        wijk_id=row["wijk_id"],
        koppel_id=row["koppel_id"],
        kind=_KIND(row["kind"]),
        occurred_at=row["occurred_at"],
        place=row["place"],
        summary=row["summary"],
        resident_ids=frozenset(resident_ids),
        recorded_by=Actor(PrincipalKind.user, row["recorded_by_user_id"], row.get("recorded_by_name") or ""),
        redacted_at=row["redacted_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _columns(m: ContactMoment) -> dict[str, Any]:
    return {
        "kind": m.kind.value,
        "occurred_at": m.occurred_at,
        "place": m.place,
        "summary": m.summary,
    }


_ORDER = [MOMENT.c.occurred_at, MOMENT.c.id]


def _filter_values(filters: ContactMomentFilter) -> dict[str, Any]:
    """The filters given, by parameter name, as the statement binds them (400 for a backwards period)."""
    start, end = filters.occurred_range()
    given = {
        "koppel_id": filters.koppel_id,
        "kind": filters.kind.value if filters.kind is not None else None,
        "occurred_from": start,
        "occurred_to": end,
        "resident_id": filters.resident_id,
    }
    return {name: value for name, value in given.items() if value is not None}


def _with_recorder() -> Select[Any]:
    return select(MOMENT, USER.c.display_name.label("recorded_by_name")).join(USER, USER.c.id == MOMENT.c.recorded_by_user_id)


def _conditions(filters: Iterable[str], values: Mapping[str, Any] | None = None) -> list[ColumnElement[bool]]:
    """The conditions of the filters named (see _filter_values), each value a parameter of the
    filter's name, bound to `values` when given."""
    c, i = MOMENT.c, INVOLVED.c

    def value(name: str, column: Any) -> Any:
        return bindparam(name, (values or {}).get(name), type_=column.type)

    conditions = {
        "koppel_id": lambda: c.koppel_id == value("koppel_id", c.koppel_id),
        "kind": lambda: c.kind == value("kind", c.kind),
        "occurred_from": lambda: c.occurred_at >= value("occurred_from", c.occurred_at),
        "occurred_to": lambda: c.occurred_at < value("occurred_to", c.occurred_at),
        "resident_id": lambda: exists().where(i.contact_moment_id == c.id, i.resident_id == value("resident_id", i.resident_id)),
    }
    return [conditions[name]() for name in filters]


@cache
def _page_statement(shape: PageShape) -> DriverStatement:
    """At most limit + 1 contact moments of the wijken given, each with its recorder's name and its
    residents as an array, and the read's audit event for each resident named by the first `limit`
    of them (the last row only tells whether a next page exists: it is not shown, so not audited).

    The events are a data-modifying WITH part, which PostgreSQL runs exactly once whether or not the
    outer query reads it: the page and its events are one atomic statement, and the events take no
    worker time to build or to send. What they share comes bound from the domain's AuditStamp; per
    event only the resident, the moment and a new id (NEW_EVENT_ID_SQL) are added here.
    Subqueries on the page's rows rather than joins beneath its LIMIT, which cost PostgreSQL more to
    plan (see persistence.casework._signal_page). Built once per shape."""
    c, i = MOMENT.c, INVOLVED.c
    page = shape.page(select(MOMENT).where(*_conditions(shape.filters)), c.wijk_id, _ORDER).cte("page")
    shown = (
        select(page.c.id)
        .order_by(page.c.occurred_at, page.c.id)
        .limit(bindparam("shown_limit", type_=Integer))
        .subquery("shown")
    )
    per_event: dict[str, Any] = {
        "id": literal_column(NEW_EVENT_ID_SQL),
        "resident_id": i.resident_id,
        "record_id": i.contact_moment_id,
    }
    stamped = {name: _stamped(name) for name in SHARED_AUDIT_COLUMNS}
    events = select(*[(per_event | stamped)[name] for name in AUDIT_COLUMNS]).select_from(
        shown.join(INVOLVED, i.contact_moment_id == shown.c.id)
    )
    audited = insert(AUDIT).from_select(list(AUDIT_COLUMNS), events).cte("audited")
    recorder = select(USER.c.display_name).where(USER.c.id == page.c.recorded_by_user_id).scalar_subquery()
    residents = func.array(select(i.resident_id).where(i.contact_moment_id == page.c.id).scalar_subquery())
    return DriverStatement.of(
        select(page, recorder.label("recorded_by_name"), residents.label("resident_ids"))
        .add_cte(audited)
        .order_by(page.c.occurred_at, page.c.id)
    )


def _stamped(name: str) -> Any:
    """The bound value of an audit column every event of the page shares (_stamp_values)."""
    if name == "fields":
        return cast(bindparam("audit_fields", type_=String), AUDIT.c.fields.type)
    return bindparam(f"audit_{name}", type_=AUDIT.c[name].type)


def _stamp_values(stamp: AuditStamp) -> dict[str, Any]:
    """The shared columns of `stamp`'s events, as _stamped binds them: taken from an event the domain
    builds, so they are what SqlAuditRepository.append would store."""
    shared = audit_row(stamp.event(_NO_ID, _NO_ID))
    values = {f"audit_{name}": shared[name] for name in SHARED_AUDIT_COLUMNS}
    values["audit_fields"] = json.dumps(shared["fields"])
    return values


_NO_ID = UUID(int=0)


class SqlContactMomentRepository(TableRepository[ContactMoment]):
    table = MOMENT
    to_entity = staticmethod(_moment)
    not_found = "contact moment not found"

    def _select(self) -> Any:
        return _with_recorder()

    async def _with_residents(self, rows: list[Mapping[str, Any]]) -> list[ContactMoment]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        found: dict[UUID, set[UUID]] = {}
        stmt = select(INVOLVED.c.contact_moment_id, INVOLVED.c.resident_id).where(INVOLVED.c.contact_moment_id.in_(ids))
        for moment_id, resident_id in (await self.session.execute(stmt)).all():
            found.setdefault(moment_id, set()).add(resident_id)
        return [_moment(r, found.get(r["id"], ())) for r in rows]

    async def _set_residents(self, moment: ContactMoment) -> None:
        await self.session.execute(delete(INVOLVED).where(INVOLVED.c.contact_moment_id == moment.id))
        if moment.resident_ids:
            await self.session.execute(
                insert(INVOLVED),
                [{"contact_moment_id": moment.id, "resident_id": r} for r in sorted(moment.resident_ids, key=str)],
            )

    async def add(self, moment: ContactMoment) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=moment.id,
                wijk_id=moment.wijk_id,
                koppel_id=moment.koppel_id,
                recorded_by_user_id=moment.recorded_by.id,
                redacted_at=moment.redacted_at,
                version=moment.version,
                created_at=moment.created_at,
                updated_at=moment.updated_at,
                **_columns(moment),
            )
        )
        await self._set_residents(moment)

    async def get(self, entity_id: UUID) -> ContactMoment | None:
        row = (await self.session.execute(self._select().where(self.table.c.id == entity_id))).mappings().first()
        return (await self._with_residents([row]))[0] if row else None

    async def list(
        self, wijk_ids: frozenset[UUID], page: PageRequest, filters: ContactMomentFilter, audited_as: AuditStamp
    ) -> Page[ContactMoment]:
        # Mirrors domain.contact_moments.can_work_with_contact_moments: the caller's wijken only.
        wijken = sorted(wijk_ids)
        if filters.wijk_id is not None:
            wijken = [w for w in wijken if w == filters.wijk_id]
        values = _filter_values(filters)
        if wijken and on_postgresql(self.session):
            return await self._page_on_driver(wijken, page, values, audited_as)
        stmt = self._select().where(*_conditions(values, values))
        rows = await fetch_page_by_partition(self.session, stmt, MOMENT.c.wijk_id, wijken, _ORDER, page, lambda r: r)
        moments = await self._with_residents(rows.items)
        await SqlAuditRepository(self.session).append(e for m in moments for e in audited_as.events(m.id, m.resident_ids))
        return Page(items=moments, next_cursor=rows.next_cursor)

    async def _page_on_driver(
        self, wijken: list[UUID], page: PageRequest, values: dict[str, Any], audited_as: AuditStamp
    ) -> Page[ContactMoment]:
        """The list above on PostgreSQL: the page, its residents and its audit events in one statement,
        sent straight to asyncpg."""
        statement = _page_statement(PageShape.of(values, wijken, page))
        bound = values | partitioned_page_values(wijken, _ORDER, page) | _stamp_values(audited_as)
        rows = await statement.fetch(self.session, bound | {"shown_limit": page.limit})
        return page_of_rows(rows, _ORDER, page, lambda r: _moment(r, r["resident_ids"]))

    async def save(self, moment: ContactMoment, expected_version: int, now: datetime) -> ContactMoment:
        await self.update(moment.id, expected_version, _columns(moment), now)
        await self._set_residents(moment)
        saved = await self.get(moment.id)
        assert saved is not None
        return saved

    async def of_resident(self, resident_id: UUID) -> list[ContactMoment]:
        c, i = self.table.c, INVOLVED.c
        stmt = (
            self._select()
            .where(exists().where(i.contact_moment_id == c.id, i.resident_id == resident_id))
            .order_by(c.occurred_at, c.id)
        )
        return await self._with_residents(list((await self.session.execute(stmt)).mappings().all()))

    async def redact_resident(self, resident_id: UUID, now: datetime) -> int:
        """Remove summary and place of every moment that involved the resident (they may mention
        them), then the links themselves; kind, koppel, wijk and instant stay for statistics."""
        c, i = self.table.c, INVOLVED.c
        involved = select(i.contact_moment_id).where(i.resident_id == resident_id)
        result = await self.session.execute(
            update(self.table)
            .where(c.id.in_(involved))
            .values(summary=None, place=None, redacted_at=now, version=c.version + 1, updated_at=now)
        )
        await self.session.execute(delete(INVOLVED).where(i.resident_id == resident_id))
        return int(result.rowcount)  # type: ignore[attr-defined]
