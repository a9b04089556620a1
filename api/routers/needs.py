"""Needs (vragen) and the offers that could answer them: the koppel's side of vraag ↔ aanbod."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.needs import MatchRead, NeedCreate, NeedMatches, NeedRead, NeedUpdate
from domain import needs
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.identity import KOPPEL_ROLES
from domain.needs import MAX_MATCHES, NeedFilter, NewNeed

router = APIRouter(prefix="/needs", tags=["needs"])
NeedId = Annotated[UUID, Path(alias="needId")]
# The koppel's own record: its members in the wijk; the policy narrows to their wijken.
Koppel = accessing(*KOPPEL_ROLES)
KoppelScope = scoped(*KOPPEL_ROLES)
URL = "/api/v1/needs"
AUDITED = "A need that names a resident is recorded in the audit trail (`read`) before it is returned."


@router.get("", operation_id="listNeeds", summary="List the needs in your wijken, oldest first", description=AUDITED)
async def list_needs(
    request: Request,
    response: Response,
    uow: UowDep,
    access: Koppel,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    koppel_id: Annotated[UUID | None, Query(alias="koppelId")] = None,
    category: Annotated[NeedCategory | None, Query()] = None,
    urgency: Annotated[Priority | None, Query()] = None,
    resident_id: Annotated[UUID | None, Query(alias="residentId")] = None,
) -> PageOf[NeedRead]:
    filters = NeedFilter(wijk_id, koppel_id, category, urgency, resident_id)
    result = await needs.list_needs(uow, access, page, filters, datetime.now(UTC))
    link_next(request, response, result)
    return PageOf[NeedRead](items=[NeedRead.of(n) for n in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createNeed",
    summary="Record a need (of a resident, or of the street) in one of your wijken",
    status_code=status.HTTP_201_CREATED,
)
async def create_need(body: NeedCreate, response: Response, uow: UowDep, access: Koppel) -> NeedRead:
    need = await needs.record_need(uow, access, NewNeed(**body.to_fields()), datetime.now(UTC))
    response.headers["ETag"] = etag(need.version)
    response.headers["Location"] = f"{URL}/{need.id}"
    return NeedRead.of(need)


@router.get("/{needId}", operation_id="getNeed", summary="Read a need", description=AUDITED)
async def get_need(need_id: NeedId, response: Response, uow: UowDep, access: Koppel) -> NeedRead:
    need = await needs.get_need(uow, access, need_id, datetime.now(UTC))
    response.headers["ETag"] = etag(need.version)
    return NeedRead.of(need)


@router.patch(
    "/{needId}",
    operation_id="updateNeed",
    summary="Correct a need's category, description or urgency",
    responses=problem_responses(412, 428),
)
async def update_need(
    need_id: NeedId, body: NeedUpdate, response: Response, uow: UowDep, access: Koppel, expected_version: IfMatchDep
) -> NeedRead:
    need = await needs.update_need(uow, access, need_id, expected_version, body.changes(), datetime.now(UTC))
    response.headers["ETag"] = etag(need.version)
    return NeedRead.of(need)


@router.get(
    "/{needId}/matches",
    operation_id="listNeedMatches",
    summary="Offers that could answer the need, ranked, each with the reasons it was suggested",
    description="Candidates serve the need's wijk (by name or its whole municipality) in the need's category or a "
    "related one. Points: category 50 (related 25), this wijk 20 (whole municipality 10), a volunteering "
    "neighbour from the wijk 15, free places 10 (none left −30), not available −50; clamped to 0–100.",
)
async def list_need_matches(
    need_id: NeedId,
    uow: UowDep,
    scope: KoppelScope,
    limit: Annotated[int, Query(ge=1, le=MAX_MATCHES, description=f"At most this many, at most {MAX_MATCHES}.")] = 10,
) -> NeedMatches:
    need, matches = await needs.match_need(uow, scope, need_id, limit)
    return NeedMatches(need_id=need.id, items=[MatchRead.of(m) for m in matches])
