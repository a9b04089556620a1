"""Wijken: the neighbourhoods koppels work in, by CBS code."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.wijken import WijkCreate, WijkKoppelMembers, WijkRead, WijkUpdate
from domain import koppels, wijken
from domain.identity import ALL_ROLES, STAFF_ROLES, Role
from domain.wijken import NewWijk, ProblemIndicator, WijkFilter

router = APIRouter(prefix="/wijken", tags=["wijken"])
WijkId = Annotated[UUID, Path(alias="wijkId")]
# Every role reads the wijken in its own scope (systems: none yet); only the admin manages them.
Readers = scoped(*ALL_ROLES)
Admin = scoped(Role.admin)
Staff = scoped(*STAFF_ROLES)


@router.get("", operation_id="listWijken", summary="List the wijken in your scope")
async def list_wijken(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Readers,
    page: PageDep,
    municipality_code: Annotated[str | None, Query(alias="municipalityCode", pattern=r"^GM\d{4}$")] = None,
    indicator: Annotated[ProblemIndicator | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> PageOf[WijkRead]:
    result = await wijken.list_wijken(uow, scope, page, WijkFilter(municipality_code, indicator, active))
    link_next(request, response, result)
    return PageOf[WijkRead](items=[WijkRead.of(w) for w in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createWijk",
    summary="Register a wijk by its CBS code",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_wijk(body: WijkCreate, response: Response, uow: UowDep, scope: Admin) -> WijkRead:
    wijk = await wijken.create_wijk(uow, scope, NewWijk(**body.model_dump()), datetime.now(UTC))
    response.headers["ETag"] = etag(wijk.version)
    response.headers["Location"] = f"/api/v1/wijken/{wijk.id}"
    return WijkRead.of(wijk)


@router.get("/{wijkId}", operation_id="getWijk", summary="Read a wijk")
async def get_wijk(wijk_id: WijkId, response: Response, uow: UowDep, scope: Readers) -> WijkRead:
    wijk = await wijken.get_wijk(uow, scope, wijk_id)
    response.headers["ETag"] = etag(wijk.version)
    return WijkRead.of(wijk)


@router.patch(
    "/{wijkId}",
    operation_id="updateWijk",
    summary="Change a wijk (also: deactivate with active=false)",
    responses=problem_responses(409, 412, 428),
)
async def update_wijk(
    wijk_id: WijkId,
    body: WijkUpdate,
    response: Response,
    uow: UowDep,
    scope: Admin,
    expected_version: IfMatchDep,
) -> WijkRead:
    wijk = await wijken.update_wijk(uow, scope, wijk_id, expected_version, body.changes(), datetime.now(UTC))
    response.headers["ETag"] = etag(wijk.version)
    return WijkRead.of(wijk)


@router.delete(
    "/{wijkId}",
    operation_id="deactivateWijk",
    summary="Deactivate a wijk (it stays for history: koppels and offers refer to it)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def deactivate_wijk(wijk_id: WijkId, uow: UowDep, scope: Admin, expected_version: IfMatchDep) -> None:
    await wijken.deactivate_wijk(uow, scope, wijk_id, expected_version, datetime.now(UTC))


@router.get(
    "/{wijkId}/koppel-members",
    operation_id="listWijkKoppelMembers",
    summary="Who worked this wijk on a given day: the members of the koppels active in it",
)
async def list_wijk_koppel_members(
    wijk_id: WijkId,
    uow: UowDep,
    scope: Staff,
    on: Annotated[date | None, Query(description="The day; default today.")] = None,
) -> WijkKoppelMembers:
    day = on or scope.on
    worked = await koppels.who_worked(uow, scope, wijk_id, day)
    return WijkKoppelMembers.of(wijk_id, day, worked)
