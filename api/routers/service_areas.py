"""Service areas: the wijken an organisation serves (a housing corporation's intake is placed in them)."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.service_areas import ServiceAreaCreate, ServiceAreaRead
from domain import service_areas
from domain.identity import Role

router = APIRouter(prefix="/organisations/{organisationId}/service-areas", tags=["organisations"])
OrganisationId = Annotated[UUID, Path(alias="organisationId")]
ServiceAreaId = Annotated[UUID, Path(alias="serviceAreaId")]
Admin = scoped(Role.admin)


@router.get("", operation_id="listServiceAreas", summary="The wijken (or municipalities) an organisation serves")
async def list_service_areas(
    organisation_id: OrganisationId, request: Request, response: Response, uow: UowDep, scope: Admin, page: PageDep
) -> PageOf[ServiceAreaRead]:
    result = await service_areas.list_service_areas(uow, scope, organisation_id, page)
    link_next(request, response, result)
    return PageOf[ServiceAreaRead](items=[ServiceAreaRead.of(a) for a in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createServiceArea",
    summary="Let the organisation serve a wijk or a whole municipality",
    description="A housing corporation's system submits signals only in the wijken its organisation serves.",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_service_area(
    organisation_id: OrganisationId, body: ServiceAreaCreate, response: Response, uow: UowDep, scope: Admin
) -> ServiceAreaRead:
    area = await service_areas.add_service_area(uow, scope, organisation_id, body.to_domain(), datetime.now(UTC))
    response.headers["ETag"] = etag(area.version)
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/service-areas/{area.id}"
    return ServiceAreaRead.of(area)


@router.get("/{serviceAreaId}", operation_id="getServiceArea", summary="Read a service area")
async def get_service_area(
    organisation_id: OrganisationId, service_area_id: ServiceAreaId, response: Response, uow: UowDep, scope: Admin
) -> ServiceAreaRead:
    area = await service_areas.get_service_area(uow, scope, organisation_id, service_area_id)
    response.headers["ETag"] = etag(area.version)
    return ServiceAreaRead.of(area)


@router.delete(
    "/{serviceAreaId}",
    operation_id="deleteServiceArea",
    summary="The organisation no longer serves the area (its signals stay)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def delete_service_area(
    organisation_id: OrganisationId,
    service_area_id: ServiceAreaId,
    uow: UowDep,
    scope: Admin,
    expected_version: IfMatchDep,
) -> None:
    await service_areas.remove_service_area(uow, scope, organisation_id, service_area_id, expected_version)
