"""System clients: police and housing-corporation back-ends (client_credentials)."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import AdminPrincipal, HasherDep, IfMatchDep, PageDep, UowDep, etag, link_next
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.identity import ClientCreate, ClientRead, ClientUpdate, ClientWithSecret
from domain import accounts

router = APIRouter(prefix="/clients", tags=["clients"])
ClientId = Annotated[UUID, Path(alias="clientId")]


def _with_secret(issued: accounts.IssuedClient) -> ClientWithSecret:
    return ClientWithSecret.model_validate(
        {**ClientRead.model_validate(issued.client).model_dump(), "client_secret": issued.client_secret}
    )


@router.get("", operation_id="listClients", summary="List system clients")
async def list_clients(
    request: Request,
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
    page: PageDep,
    organisation_id: Annotated[UUID | None, Query(alias="organisationId")] = None,
    active: Annotated[bool | None, Query()] = None,
) -> PageOf[ClientRead]:
    result = await accounts.list_clients(uow, page, organisation_id, active)
    link_next(request, response, result)
    return PageOf[ClientRead](
        items=[ClientRead.model_validate(c) for c in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "",
    operation_id="createClient",
    summary="Register a police or housing system; the secret is returned once",
    status_code=status.HTTP_201_CREATED,
)
async def create_client(
    body: ClientCreate, response: Response, uow: UowDep, hasher: HasherDep, _: AdminPrincipal
) -> ClientWithSecret:
    issued = await accounts.create_client(uow, hasher, accounts.NewClient(**body.model_dump()), datetime.now(UTC))
    response.headers["ETag"] = etag(issued.client.version)
    response.headers["Location"] = f"/api/v1/clients/{issued.client.id}"
    return _with_secret(issued)


@router.get("/{clientId}", operation_id="getClient", summary="Read a system client")
async def get_client(client_id: ClientId, response: Response, uow: UowDep, _: AdminPrincipal) -> ClientRead:
    client = await accounts.get_client(uow, client_id)
    response.headers["ETag"] = etag(client.version)
    return ClientRead.model_validate(client)


@router.patch(
    "/{clientId}",
    operation_id="updateClient",
    summary="Rename, deactivate or reactivate a client",
    responses=problem_responses(412, 428),
)
async def update_client(
    client_id: ClientId,
    body: ClientUpdate,
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
    expected_version: IfMatchDep,
) -> ClientRead:
    client = await accounts.update_client(uow, client_id, expected_version, body.changes(), datetime.now(UTC))
    response.headers["ETag"] = etag(client.version)
    return ClientRead.model_validate(client)


@router.post(
    "/{clientId}/secrets",
    operation_id="rotateClientSecret",
    summary="Issue a new client secret; the old one stops working at once",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(412, 428),
)
async def rotate_client_secret(
    client_id: ClientId,
    response: Response,
    uow: UowDep,
    hasher: HasherDep,
    _: AdminPrincipal,
    expected_version: IfMatchDep,
) -> ClientWithSecret:
    issued = await accounts.rotate_client_secret(uow, hasher, client_id, expected_version, datetime.now(UTC))
    response.headers["ETag"] = etag(issued.client.version)
    return _with_secret(issued)


@router.delete(
    "/{clientId}",
    operation_id="deactivateClient",
    summary="Deactivate a client; its tokens stop working at once",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def deactivate_client(client_id: ClientId, uow: UowDep, _: AdminPrincipal, expected_version: IfMatchDep) -> None:
    await accounts.update_client(uow, client_id, expected_version, {"active": False}, datetime.now(UTC))
