"""Organisations behind the koppel: police, welfare, housing corporations, gemeenten, agencies."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import AdminPrincipal, IfMatchDep, PageDep, UowDep, etag, link_next
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.identity import OrganisationCreate, OrganisationRead, OrganisationUpdate
from domain import accounts
from domain.identity import OrganisationKind

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", operation_id="listOrganisations", summary="List organisations")
async def list_organisations(
    request: Request,
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
    page: PageDep,
    kind: Annotated[OrganisationKind | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> PageOf[OrganisationRead]:
    result = await accounts.list_organisations(uow, page, kind, active)
    link_next(request, response, result)
    return PageOf[OrganisationRead](
        items=[OrganisationRead.model_validate(o) for o in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "",
    operation_id="createOrganisation",
    summary="Register an organisation",
    status_code=status.HTTP_201_CREATED,
)
async def create_organisation(
    body: OrganisationCreate, response: Response, uow: UowDep, _: AdminPrincipal
) -> OrganisationRead:
    organisation = await accounts.create_organisation(
        uow, accounts.NewOrganisation(**body.model_dump()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(organisation.version)
    response.headers["Location"] = f"/api/v1/organisations/{organisation.id}"
    return OrganisationRead.model_validate(organisation)


@router.get("/{organisationId}", operation_id="getOrganisation", summary="Read an organisation")
async def get_organisation(
    organisation_id: Annotated[UUID, Path(alias="organisationId")],
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
) -> OrganisationRead:
    organisation = await accounts.get_organisation(uow, organisation_id)
    response.headers["ETag"] = etag(organisation.version)
    return OrganisationRead.model_validate(organisation)


@router.patch(
    "/{organisationId}",
    operation_id="updateOrganisation",
    summary="Change an organisation (also: deactivate with active=false)",
    responses=problem_responses(412, 428),
)
async def update_organisation(
    organisation_id: Annotated[UUID, Path(alias="organisationId")],
    body: OrganisationUpdate,
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
    expected_version: IfMatchDep,
) -> OrganisationRead:
    organisation = await accounts.update_organisation(
        uow, organisation_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(organisation.version)
    return OrganisationRead.model_validate(organisation)


@router.delete(
    "/{organisationId}",
    operation_id="deactivateOrganisation",
    summary="Deactivate an organisation (its history is kept)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def deactivate_organisation(
    organisation_id: Annotated[UUID, Path(alias="organisationId")],
    uow: UowDep,
    _: AdminPrincipal,
    expected_version: IfMatchDep,
) -> None:
    await accounts.update_organisation(
        uow, organisation_id, expected_version, {"active": False}, datetime.now(UTC)
    )
