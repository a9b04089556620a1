"""Wijken and their problem indicators."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, exists, insert, select

from domain.pagination import Page, PageRequest
from domain.scope import Scope
from domain.wijken import PostcodeRange, ProblemIndicator, Wijk, WijkFilter
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository, plain
from persistence.tables import WijkIndicatorRow, WijkRow


def _wijk(row: Mapping[str, Any], indicators: Iterable[str] = ()) -> Wijk:
    return Wijk(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        municipality_code=row["municipality_code"],
        buurten=tuple(row["buurten"] or ()),
        boundary=row["boundary"],
        indicators=frozenset(ProblemIndicator(i) for i in indicators),
        active=row["active"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        postcode_ranges=tuple(PostcodeRange(first, last) for first, last in row["postcode_ranges"] or ()),
    )


def _ranges(ranges: Iterable[PostcodeRange]) -> list[list[str]] | None:
    stored = [[r.from_postcode, r.to_postcode] for r in ranges]
    return stored or None


class SqlWijkRepository(TableRepository[Wijk]):
    table = WijkRow.__table__  # type: ignore[assignment]
    indicator_table: Table = WijkIndicatorRow.__table__  # type: ignore[assignment]
    to_entity = staticmethod(_wijk)
    not_found = "wijk not found"

    async def add(self, wijk: Wijk) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=wijk.id,
                code=wijk.code,
                name=wijk.name,
                municipality_code=wijk.municipality_code,
                buurten=list(wijk.buurten),
                boundary=wijk.boundary,
                postcode_ranges=_ranges(wijk.postcode_ranges),
                active=wijk.active,
                version=wijk.version,
                created_at=wijk.created_at,
                updated_at=wijk.updated_at,
            )
        )
        await self._set_indicators(wijk.id, wijk.indicators)

    async def _set_indicators(self, wijk_id: UUID, indicators: Iterable[ProblemIndicator]) -> None:
        t = self.indicator_table
        await self.session.execute(delete(t).where(t.c.wijk_id == wijk_id))
        rows = [{"wijk_id": wijk_id, "indicator": i.value} for i in sorted(indicators)]
        if rows:
            await self.session.execute(insert(t), rows)

    async def _with_indicators(self, rows: list[Mapping[str, Any]]) -> list[Wijk]:
        if not rows:
            return []
        t = self.indicator_table
        found: dict[UUID, list[str]] = {}
        stmt = select(t.c.wijk_id, t.c.indicator).where(t.c.wijk_id.in_([r["id"] for r in rows]))
        for wijk_id, indicator in (await self.session.execute(stmt)).all():
            found.setdefault(wijk_id, []).append(indicator)
        return [_wijk(r, found.get(r["id"], ())) for r in rows]

    async def get(self, entity_id: UUID) -> Wijk | None:
        row = (
            (await self.session.execute(select(self.table).where(self.table.c.id == entity_id)))
            .mappings()
            .first()
        )
        return (await self._with_indicators([row]))[0] if row else None

    async def get_by_code(self, code: str) -> Wijk | None:
        row = (
            (await self.session.execute(select(self.table).where(self.table.c.code == code)))
            .mappings()
            .first()
        )
        return (await self._with_indicators([row]))[0] if row else None

    async def get_many(self, wijk_ids: Iterable[UUID]) -> list[Wijk]:
        """The wijken with these ids, by code."""
        ids = list(wijk_ids)
        if not ids:
            return []
        stmt = select(self.table).where(self.table.c.id.in_(ids)).order_by(self.table.c.code)
        return await self._with_indicators(list((await self.session.execute(stmt)).mappings().all()))

    async def existing(self, wijk_ids: Iterable[UUID]) -> frozenset[UUID]:
        ids = list(wijk_ids)
        if not ids:
            return frozenset()
        stmt = select(self.table.c.id).where(self.table.c.id.in_(ids))
        return frozenset((await self.session.execute(stmt)).scalars().all())

    async def list(self, scope: Scope, page: PageRequest, filters: WijkFilter) -> Page[Wijk]:
        c = self.table.c
        conditions = []
        if not scope.reaches_all:
            conditions.append(c.id.in_(list(scope.wijk_ids)))
        if filters.municipality_code is not None:
            conditions.append(c.municipality_code == filters.municipality_code)
        if filters.active is not None:
            conditions.append(c.active == filters.active)
        if filters.indicator is not None:
            i = self.indicator_table.c
            conditions.append(exists().where(i.wijk_id == c.id, i.indicator == filters.indicator.value))
        rows = await fetch_page(
            self.session, select(self.table).where(*conditions), [c.code], page, lambda r: r
        )
        return Page(items=await self._with_indicators(rows.items), next_cursor=rows.next_cursor)

    async def update(
        self, entity_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> Wijk:
        columns = plain({k: v for k, v in changes.items() if k != "indicators"})
        if "buurten" in columns:
            columns["buurten"] = list(columns["buurten"])
        if "postcode_ranges" in columns:
            columns["postcode_ranges"] = _ranges(columns["postcode_ranges"])
        await super().update(entity_id, expected_version, columns, now)
        if "indicators" in changes:
            await self._set_indicators(entity_id, changes["indicators"])
        updated = await self.get(entity_id)
        assert updated is not None
        return updated
