"""Contact moments with the residents involved; the residents of a page are read in one query."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, exists, insert, select, update

from domain.casework import Actor
from domain.contact_moments import ContactKind, ContactMoment, ContactMomentFilter
from domain.identity import PrincipalKind
from domain.pagination import Page, PageRequest
from persistence.pagination import fetch_page_by_partition
from persistence.repositories import TableRepository
from persistence.tables import UserRow
from persistence.tables_referrals import ContactMomentResidentRow, ContactMomentRow

MOMENT: Table = ContactMomentRow.__table__  # type: ignore[assignment]
INVOLVED: Table = ContactMomentResidentRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]


def _moment(row: Mapping[str, Any], resident_ids: Any = ()) -> ContactMoment:
    return ContactMoment(
        id=row["id"],
        wijk_id=row["wijk_id"],
        koppel_id=row["koppel_id"],
        kind=ContactKind(row["kind"]),
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


class SqlContactMomentRepository(TableRepository[ContactMoment]):
    table = MOMENT
    to_entity = staticmethod(_moment)
    not_found = "contact moment not found"

    def _select(self) -> Any:
        return select(self.table, USER.c.display_name.label("recorded_by_name")).join(
            USER, USER.c.id == self.table.c.recorded_by_user_id
        )

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
        self, wijk_ids: frozenset[UUID], page: PageRequest, filters: ContactMomentFilter
    ) -> Page[ContactMoment]:
        # Mirrors domain.contact_moments.can_work_with_contact_moments: the caller's wijken only.
        c, i = self.table.c, INVOLVED.c
        wijken = sorted(wijk_ids)
        if filters.wijk_id is not None:
            wijken = [w for w in wijken if w == filters.wijk_id]
        conditions: list[Any] = []
        if filters.koppel_id is not None:
            conditions.append(c.koppel_id == filters.koppel_id)
        if filters.kind is not None:
            conditions.append(c.kind == filters.kind.value)
        start, end = filters.occurred_range()
        if start is not None:
            conditions.append(c.occurred_at >= start)
        if end is not None:
            conditions.append(c.occurred_at < end)
        if filters.resident_id is not None:
            conditions.append(exists().where(i.contact_moment_id == c.id, i.resident_id == filters.resident_id))
        rows = await fetch_page_by_partition(
            self.session, self._select().where(*conditions), c.wijk_id, wijken, [c.occurred_at, c.id], page, lambda r: r
        )
        return Page(items=await self._with_residents(rows.items), next_cursor=rows.next_cursor)

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
