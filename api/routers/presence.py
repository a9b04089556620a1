"""Presence: the koppel's fixed times and one-off dates, and the public page residents can read."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.presence import PresenceCreate, PresenceRead, PresenceUpdate, PublicWijkPresence
from domain import presence
from domain.dates import local_today
from domain.identity import KOPPEL_ROLES, Role
from domain.presence import NewPresence

router = APIRouter(tags=["presence"])
KoppelId = Annotated[UUID, Path(alias="koppelId")]
PresenceId = Annotated[UUID, Path(alias="presenceId")]
WijkCode = Annotated[str, Path(alias="wijkCode", pattern=r"^WK\d{6}$", examples=["WK010601"])]
Readers = scoped(Role.admin, *KOPPEL_ROLES, Role.gemeente)
# Koppel roles pass the route; the policy then lets only the koppel's own members plan its presence.
Planners = scoped(Role.admin, *KOPPEL_ROLES)
PUBLIC_CACHE = "public, max-age=300"


@router.get("/koppels/{koppelId}/presence", operation_id="listPresence", summary="A koppel's presence")
async def list_presence(
    koppel_id: KoppelId, request: Request, response: Response, uow: UowDep, scope: Readers, page: PageDep
) -> PageOf[PresenceRead]:
    result = await presence.list_presence(uow, scope, koppel_id, page)
    link_next(request, response, result)
    return PageOf[PresenceRead](
        items=[PresenceRead.model_validate(p) for p in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "/koppels/{koppelId}/presence",
    operation_id="createPresence",
    summary="Plan a fixed weekly time or a one-off date (the koppel's own members)",
    status_code=status.HTTP_201_CREATED,
)
async def create_presence(
    koppel_id: KoppelId, body: PresenceCreate, response: Response, uow: UowDep, scope: Planners
) -> PresenceRead:
    created = await presence.create_presence(
        uow, scope, koppel_id, NewPresence(**body.model_dump()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(created.version)
    response.headers["Location"] = f"/api/v1/koppels/{koppel_id}/presence/{created.id}"
    return PresenceRead.model_validate(created)


@router.get(
    "/koppels/{koppelId}/presence/{presenceId}", operation_id="getPresence", summary="Read a presence entry"
)
async def get_presence(
    koppel_id: KoppelId, presence_id: PresenceId, response: Response, uow: UowDep, scope: Readers
) -> PresenceRead:
    found = await presence.get_presence(uow, scope, koppel_id, presence_id)
    response.headers["ETag"] = etag(found.version)
    return PresenceRead.model_validate(found)


@router.patch(
    "/koppels/{koppelId}/presence/{presenceId}",
    operation_id="updatePresence",
    summary="Change times, place or note",
    responses=problem_responses(412, 428),
)
async def update_presence(
    koppel_id: KoppelId,
    presence_id: PresenceId,
    body: PresenceUpdate,
    response: Response,
    uow: UowDep,
    scope: Planners,
    expected_version: IfMatchDep,
) -> PresenceRead:
    updated = await presence.update_presence(
        uow, scope, koppel_id, presence_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(updated.version)
    return PresenceRead.model_validate(updated)


@router.delete(
    "/koppels/{koppelId}/presence/{presenceId}",
    operation_id="deletePresence",
    summary="Remove a presence entry",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def delete_presence(
    koppel_id: KoppelId, presence_id: PresenceId, uow: UowDep, scope: Planners, expected_version: IfMatchDep
) -> None:
    await presence.delete_presence(uow, scope, koppel_id, presence_id, expected_version)


@router.get(
    "/wijken/{wijkCode}/presence",
    operation_id="getPublicWijkPresence",
    summary="Public: when and where residents of a wijk can meet their koppel",
    description=(
        "No token needed, so a resident-facing site can link it by the wijk's CBS code. Lists the koppels "
        "active in the wijk today: the professionals' names and roles, weekly times and one-off dates of "
        "the coming eight weeks. Nothing about residents, no staff ids or contact details. Cacheable for "
        "five minutes."
    ),
)
async def get_public_wijk_presence(
    wijk_code: WijkCode, response: Response, uow: UowDep
) -> PublicWijkPresence:
    found = await presence.public_presence(uow, wijk_code, local_today(datetime.now(UTC)))
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return PublicWijkPresence.of(found)
