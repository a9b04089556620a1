"""Staff accounts: one organisation, one role."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import AdminPrincipal, HasherDep, IfMatchDep, PageDep, UowDep, etag, link_next
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.identity import UserCreate, UserRead, UserUpdate
from domain import accounts
from domain.identity import Role

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[UUID, Path(alias="userId")]


@router.get("", operation_id="listUsers", summary="List staff accounts")
async def list_users(
    request: Request,
    response: Response,
    uow: UowDep,
    _: AdminPrincipal,
    page: PageDep,
    organisation_id: Annotated[UUID | None, Query(alias="organisationId")] = None,
    role: Annotated[Role | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> PageOf[UserRead]:
    result = await accounts.list_users(uow, page, organisation_id, role, active)
    link_next(request, response, result)
    return PageOf[UserRead](items=[UserRead.model_validate(u) for u in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createUser",
    summary="Create a staff account",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_user(
    body: UserCreate, response: Response, uow: UowDep, hasher: HasherDep, _: AdminPrincipal
) -> UserRead:
    user = await accounts.create_user(uow, hasher, accounts.NewUser(**body.model_dump()), datetime.now(UTC))
    response.headers["ETag"] = etag(user.version)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserRead.model_validate(user)


@router.get("/{userId}", operation_id="getUser", summary="Read a staff account")
async def get_user(user_id: UserId, response: Response, uow: UowDep, _: AdminPrincipal) -> UserRead:
    user = await accounts.get_user(uow, user_id)
    response.headers["ETag"] = etag(user.version)
    return UserRead.model_validate(user)


@router.patch(
    "/{userId}",
    operation_id="updateUser",
    summary="Change a staff account (role, password, active)",
    responses=problem_responses(412, 428),
)
async def update_user(
    user_id: UserId,
    body: UserUpdate,
    response: Response,
    uow: UowDep,
    hasher: HasherDep,
    _: AdminPrincipal,
    expected_version: IfMatchDep,
) -> UserRead:
    user = await accounts.update_user(uow, hasher, user_id, expected_version, body.changes(), datetime.now(UTC))
    response.headers["ETag"] = etag(user.version)
    return UserRead.model_validate(user)


@router.delete(
    "/{userId}",
    operation_id="deactivateUser",
    summary="Deactivate a staff account; its tokens stop working at once",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def deactivate_user(user_id: UserId, uow: UowDep, hasher: HasherDep, _: AdminPrincipal, expected_version: IfMatchDep) -> None:
    await accounts.update_user(uow, hasher, user_id, expected_version, {"active": False}, datetime.now(UTC))
