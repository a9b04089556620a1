"""Service areas: the wijken an organisation serves, one by one or as a whole municipality.

A housing corporation's system submits signals only for the wijken its organisation serves: its scope
(domain.scope) holds exactly those wijken, and an address or point is mapped to one of them. The admin
manages service areas, as it manages organisations and wijken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import MUNICIPALITY_CODE, Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import ALLOWED, Decision, Outcome, Scope, enforce

NOT_FOUND = "service area not found"


@dataclass(frozen=True)
class ServiceArea:
    """One wijk, or every wijk of one municipality, that an organisation serves."""

    id: UUID
    organisation_id: UUID
    wijk_id: UUID | None
    municipality_code: str | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewServiceArea:
    wijk_id: UUID | None = None
    municipality_code: str | None = None


def can_manage_service_areas(scope: Scope) -> Decision:
    """The admin decides which wijken an organisation serves."""
    if scope.role is Role.admin:
        return ALLOWED
    return Decision(Outcome.forbidden, "only an admin manages service areas")


def check_new_area(data: NewServiceArea) -> NewServiceArea:
    """Exactly one of a wijk and a municipality code (GM + 4 digits)."""
    if (data.wijk_id is None) == (data.municipality_code is None):
        raise InvalidInput.field("wijkId", "give either a wijkId or a municipalityCode", code="one_of")
    if data.municipality_code is not None and not MUNICIPALITY_CODE.match(data.municipality_code):
        raise InvalidInput.field("municipalityCode", "must be 'GM' followed by 4 digits, e.g. GM0106", code="pattern")
    return data


async def _organisation(uow: UnitOfWork, organisation_id: UUID) -> None:
    if await uow.organisations.get(organisation_id) is None:
        raise NotFound("organisation not found")


async def list_service_areas(
    uow: UnitOfWork, scope: Scope, organisation_id: UUID, page: PageRequest
) -> Page[ServiceArea]:
    """The organisation's service areas, oldest first."""
    enforce(can_manage_service_areas(scope), NOT_FOUND)
    await _organisation(uow, organisation_id)
    return await uow.service_areas.list(organisation_id, page)


async def add_service_area(
    uow: UnitOfWork, scope: Scope, organisation_id: UUID, data: NewServiceArea, now: datetime
) -> ServiceArea:
    """Let an organisation serve a wijk, or every wijk of a municipality (each only once)."""
    enforce(can_manage_service_areas(scope), NOT_FOUND)
    await _organisation(uow, organisation_id)
    checked = check_new_area(data)
    if checked.wijk_id is not None and await uow.wijken.get(checked.wijk_id) is None:
        raise InvalidInput.field("wijkId", "no such wijk", code="unknown_reference")
    if await uow.service_areas.find(organisation_id, checked.wijk_id, checked.municipality_code) is not None:
        raise Conflict("the organisation already serves this area")
    area = ServiceArea(uuid4(), organisation_id, checked.wijk_id, checked.municipality_code, 1, now, now)
    await uow.service_areas.add(area)
    await uow.commit()
    return area


async def get_service_area(uow: UnitOfWork, scope: Scope, organisation_id: UUID, area_id: UUID) -> ServiceArea:
    """One service area of the organisation."""
    enforce(can_manage_service_areas(scope), NOT_FOUND)
    area = await uow.service_areas.get(area_id)
    if area is None or area.organisation_id != organisation_id:
        raise NotFound(NOT_FOUND)
    return area


async def remove_service_area(
    uow: UnitOfWork, scope: Scope, organisation_id: UUID, area_id: UUID, expected_version: int
) -> None:
    """The organisation no longer serves the area; its signals stay, new ones there are refused."""
    await get_service_area(uow, scope, organisation_id, area_id)
    await uow.service_areas.delete(area_id, expected_version)
    await uow.commit()
