"""The wijken an organisation serves (domain.service_areas)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import select

from domain.pagination import Page, PageRequest
from domain.service_areas import ServiceArea
from persistence.repositories import TableRepository
from persistence.tables_integrations import ServiceAreaRow


def _area(row: Mapping[str, Any]) -> ServiceArea:
    return ServiceArea(
        id=row["id"],
        organisation_id=row["organisation_id"],
        wijk_id=row["wijk_id"],
        municipality_code=row["municipality_code"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class SqlServiceAreaRepository(TableRepository[ServiceArea]):
    table = ServiceAreaRow.__table__  # type: ignore[assignment]
    to_entity = staticmethod(_area)
    not_found = "service area not found"

    async def list(self, organisation_id: UUID, page: PageRequest) -> Page[ServiceArea]:
        c = self.table.c
        return await self._page(page, [c.created_at, c.id], c.organisation_id == organisation_id)

    async def find(self, organisation_id: UUID, wijk_id: UUID | None, municipality_code: str | None) -> ServiceArea | None:
        c = self.table.c
        same = c.wijk_id == wijk_id if wijk_id is not None else c.municipality_code == municipality_code
        row = (await self.session.execute(select(self.table).where(c.organisation_id == organisation_id, same))).mappings().first()
        return _area(row) if row else None

    async def delete(self, area_id: UUID, expected_version: int) -> None:
        await self._delete_versioned(area_id, expected_version)
