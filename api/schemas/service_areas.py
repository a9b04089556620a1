"""Service areas on the wire: which wijken an organisation serves."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel
from domain.service_areas import NewServiceArea, ServiceArea


class ServiceAreaCreate(ApiInput):
    """Either one wijk or a whole municipality (every wijk in it, also ones registered later)."""

    wijk_id: UUID | None = None
    municipality_code: str | None = Field(default=None, pattern=r"^GM\d{4}$", examples=["GM0106"])

    def to_domain(self) -> NewServiceArea:
        return NewServiceArea(self.wijk_id, self.municipality_code)


class ServiceAreaRead(ApiModel):
    id: UUID
    organisation_id: UUID
    wijk_id: UUID | None
    municipality_code: str | None
    created_at: datetime

    @classmethod
    def of(cls, area: ServiceArea) -> ServiceAreaRead:
        return cls(
            id=area.id,
            organisation_id=area.organisation_id,
            wijk_id=area.wijk_id,
            municipality_code=area.municipality_code,
            created_at=area.created_at,
        )
