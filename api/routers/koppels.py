"""Koppels: who works together, in which wijken, over which period — with history kept."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.koppels import (
    KoppelCreate,
    KoppelMemberCreate,
    KoppelMemberRead,
    KoppelMemberUpdate,
    KoppelRead,
    KoppelUpdate,
    KoppelWijkCreate,
    KoppelWijkRead,
    KoppelWijkUpdate,
)
from domain import koppels
from domain.identity import KOPPEL_ROLES, Role
from domain.koppels import KoppelFilter, KoppelStatus, NewAssignment, NewKoppel, NewMember

router = APIRouter(prefix="/koppels", tags=["koppels"])
KoppelId = Annotated[UUID, Path(alias="koppelId")]
MembershipId = Annotated[UUID, Path(alias="membershipId")]
AssignmentId = Annotated[UUID, Path(alias="assignmentId")]
# Koppel members see their own koppel and colleagues in their wijken, a gemeente the koppels in its
# wijken; only the admin composes koppels.
Readers = scoped(Role.admin, *KOPPEL_ROLES, Role.gemeente)
Admin = scoped(Role.admin)
KOPPEL_URL = "/api/v1/koppels"


@router.get("", operation_id="listKoppels", summary="List the koppels in your scope")
async def list_koppels(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Readers,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId", description="Working in this wijk today.")] = None,
    status_: Annotated[KoppelStatus | None, Query(alias="status")] = None,
    active: Annotated[bool | None, Query(description="Active today.")] = None,
) -> PageOf[KoppelRead]:
    result = await koppels.list_koppels(uow, scope, page, KoppelFilter(wijk_id, status_, active))
    link_next(request, response, result)
    return PageOf[KoppelRead](items=[KoppelRead.of(k) for k in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createKoppel",
    summary="Start a koppel (as a concept; add members and wijken, then activate)",
    status_code=status.HTTP_201_CREATED,
)
async def create_koppel(body: KoppelCreate, response: Response, uow: UowDep, scope: Admin) -> KoppelRead:
    details = await koppels.create_koppel(uow, scope, NewKoppel(**body.model_dump()), datetime.now(UTC))
    response.headers["ETag"] = etag(details.koppel.version)
    response.headers["Location"] = f"{KOPPEL_URL}/{details.koppel.id}"
    return KoppelRead.of(details)


@router.get(
    "/{koppelId}", operation_id="getKoppel", summary="Read a koppel with its current members and wijken"
)
async def get_koppel(koppel_id: KoppelId, response: Response, uow: UowDep, scope: Readers) -> KoppelRead:
    details = await koppels.get_koppel(uow, scope, koppel_id)
    response.headers["ETag"] = etag(details.koppel.version)
    return KoppelRead.of(details)


@router.patch(
    "/{koppelId}",
    operation_id="updateKoppel",
    summary="Rename, change the period, or activate a koppel",
    responses=problem_responses(409, 412, 428),
)
async def update_koppel(
    koppel_id: KoppelId,
    body: KoppelUpdate,
    response: Response,
    uow: UowDep,
    scope: Admin,
    expected_version: IfMatchDep,
) -> KoppelRead:
    details = await koppels.update_koppel(
        uow, scope, koppel_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(details.koppel.version)
    return KoppelRead.of(details)


@router.delete(
    "/{koppelId}",
    operation_id="deleteKoppel",
    summary="Delete a concept koppel made by mistake (an active koppel is ended with endsOn instead)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
async def delete_koppel(koppel_id: KoppelId, uow: UowDep, scope: Admin, expected_version: IfMatchDep) -> None:
    await koppels.delete_koppel(uow, scope, koppel_id, expected_version)


# --- members -----------------------------------------------------------------------------------


@router.get(
    "/{koppelId}/members", operation_id="listKoppelMembers", summary="Every membership, past and present"
)
async def list_koppel_members(
    koppel_id: KoppelId, request: Request, response: Response, uow: UowDep, scope: Readers, page: PageDep
) -> PageOf[KoppelMemberRead]:
    result = await koppels.list_members(uow, scope, koppel_id, page)
    link_next(request, response, result)
    return PageOf[KoppelMemberRead](
        items=[KoppelMemberRead.model_validate(m) for m in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "/{koppelId}/members",
    operation_id="addKoppelMember",
    summary="Add a member (their role and organisation must fit the koppel role)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def add_koppel_member(
    koppel_id: KoppelId, body: KoppelMemberCreate, response: Response, uow: UowDep, scope: Admin
) -> KoppelMemberRead:
    membership = await koppels.add_member(
        uow, scope, koppel_id, NewMember(**body.model_dump()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(membership.version)
    response.headers["Location"] = f"{KOPPEL_URL}/{koppel_id}/members/{membership.id}"
    return KoppelMemberRead.model_validate(membership)


@router.get("/{koppelId}/members/{membershipId}", operation_id="getKoppelMember", summary="Read a membership")
async def get_koppel_member(
    koppel_id: KoppelId, membership_id: MembershipId, response: Response, uow: UowDep, scope: Readers
) -> KoppelMemberRead:
    membership = await koppels.get_member(uow, scope, koppel_id, membership_id)
    response.headers["ETag"] = etag(membership.version)
    return KoppelMemberRead.model_validate(membership)


@router.patch(
    "/{koppelId}/members/{membershipId}",
    operation_id="updateKoppelMember",
    summary="End a membership with leftOn (access ends that day) or correct its dates",
    responses=problem_responses(409, 412, 428),
)
async def update_koppel_member(
    koppel_id: KoppelId,
    membership_id: MembershipId,
    body: KoppelMemberUpdate,
    response: Response,
    uow: UowDep,
    scope: Admin,
    expected_version: IfMatchDep,
) -> KoppelMemberRead:
    membership = await koppels.update_member(
        uow, scope, koppel_id, membership_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(membership.version)
    return KoppelMemberRead.model_validate(membership)


# --- wijken ------------------------------------------------------------------------------------


@router.get(
    "/{koppelId}/wijken", operation_id="listKoppelWijken", summary="Every wijk assignment, past and present"
)
async def list_koppel_wijken(
    koppel_id: KoppelId, request: Request, response: Response, uow: UowDep, scope: Readers, page: PageDep
) -> PageOf[KoppelWijkRead]:
    result = await koppels.list_assignments(uow, scope, koppel_id, page)
    link_next(request, response, result)
    return PageOf[KoppelWijkRead](
        items=[KoppelWijkRead.model_validate(a) for a in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "/{koppelId}/wijken",
    operation_id="addKoppelWijk",
    summary="Let the koppel work in a wijk",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def add_koppel_wijk(
    koppel_id: KoppelId, body: KoppelWijkCreate, response: Response, uow: UowDep, scope: Admin
) -> KoppelWijkRead:
    assignment = await koppels.add_assignment(
        uow, scope, koppel_id, NewAssignment(**body.model_dump()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(assignment.version)
    response.headers["Location"] = f"{KOPPEL_URL}/{koppel_id}/wijken/{assignment.id}"
    return KoppelWijkRead.model_validate(assignment)


@router.get(
    "/{koppelId}/wijken/{assignmentId}", operation_id="getKoppelWijk", summary="Read a wijk assignment"
)
async def get_koppel_wijk(
    koppel_id: KoppelId, assignment_id: AssignmentId, response: Response, uow: UowDep, scope: Readers
) -> KoppelWijkRead:
    assignment = await koppels.get_assignment(uow, scope, koppel_id, assignment_id)
    response.headers["ETag"] = etag(assignment.version)
    return KoppelWijkRead.model_validate(assignment)


@router.patch(
    "/{koppelId}/wijken/{assignmentId}",
    operation_id="updateKoppelWijk",
    summary="End the koppel's work in a wijk with endsOn, or correct the dates",
    responses=problem_responses(409, 412, 428),
)
async def update_koppel_wijk(
    koppel_id: KoppelId,
    assignment_id: AssignmentId,
    body: KoppelWijkUpdate,
    response: Response,
    uow: UowDep,
    scope: Admin,
    expected_version: IfMatchDep,
) -> KoppelWijkRead:
    assignment = await koppels.update_assignment(
        uow, scope, koppel_id, assignment_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(assignment.version)
    return KoppelWijkRead.model_validate(assignment)
