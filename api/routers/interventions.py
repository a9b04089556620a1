"""Interventions: the koppel's work on an issue, moving through the method's six phases."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.interventions import (
    InterventionCreate,
    InterventionRead,
    InterventionUpdate,
    PhaseChangeCreate,
    PhaseChangeRead,
)
from domain import interventions
from domain.identity import KOPPEL_ROLES
from domain.interventions import InterventionFilter, NewIntervention, Phase

router = APIRouter(prefix="/interventions", tags=["interventions"])
InterventionId = Annotated[UUID, Path(alias="interventionId")]
# The koppel's own work: its members in the wijk, nobody else.
Koppel = scoped(*KOPPEL_ROLES)
URL = "/api/v1/interventions"


@router.get("", operation_id="listInterventions", summary="List the interventions in your wijken, oldest first")
async def list_interventions(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    koppel_id: Annotated[UUID | None, Query(alias="koppelId")] = None,
    phase: Annotated[Phase | None, Query()] = None,
    open_: Annotated[bool | None, Query(alias="open", description="true: still open; false: closed.")] = None,
) -> PageOf[InterventionRead]:
    filters = InterventionFilter(wijk_id, koppel_id, phase, open_)
    result = await interventions.list_interventions(uow, scope, page, filters)
    link_next(request, response, result)
    return PageOf[InterventionRead](
        items=[InterventionRead.of(i) for i in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "",
    operation_id="createIntervention",
    summary="Start an intervention (phase kwartier_maken)",
    status_code=status.HTTP_201_CREATED,
)
async def create_intervention(
    body: InterventionCreate, response: Response, uow: UowDep, scope: Koppel
) -> InterventionRead:
    data = NewIntervention(**{**body.model_dump(), "signal_ids": frozenset(body.signal_ids)})
    intervention = await interventions.create_intervention(uow, scope, data, datetime.now(UTC))
    response.headers["ETag"] = etag(intervention.version)
    response.headers["Location"] = f"{URL}/{intervention.id}"
    return InterventionRead.of(intervention)


@router.get("/{interventionId}", operation_id="getIntervention", summary="Read an intervention")
async def get_intervention(
    intervention_id: InterventionId, response: Response, uow: UowDep, scope: Koppel
) -> InterventionRead:
    intervention = await interventions.get_intervention(uow, scope, intervention_id)
    response.headers["ETag"] = etag(intervention.version)
    return InterventionRead.of(intervention)


@router.patch(
    "/{interventionId}",
    operation_id="updateIntervention",
    summary="Change kind, title, description, koppel or linked signals of an open intervention",
    responses=problem_responses(409, 412, 428),
)
async def update_intervention(
    intervention_id: InterventionId,
    body: InterventionUpdate,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    expected_version: IfMatchDep,
) -> InterventionRead:
    intervention = await interventions.update_intervention(
        uow, scope, intervention_id, expected_version, body.domain_changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(intervention.version)
    return InterventionRead.of(intervention)


@router.get(
    "/{interventionId}/phase-changes",
    operation_id="listInterventionPhaseChanges",
    summary="The phase history: who, when, from, to, why",
)
async def list_intervention_phase_changes(
    intervention_id: InterventionId, request: Request, response: Response, uow: UowDep, scope: Koppel, page: PageDep
) -> PageOf[PhaseChangeRead]:
    result = await interventions.list_phase_changes(uow, scope, intervention_id, page)
    link_next(request, response, result)
    return PageOf[PhaseChangeRead](items=[PhaseChangeRead.of(c) for c in result.items], next_cursor=result.next_cursor)


@router.post(
    "/{interventionId}/phase-changes",
    operation_id="changeInterventionPhase",
    summary="Move to another phase; answers with the intervention as it is now",
    description=(
        "Forward to any later phase is free; back needs a reason; toeleiden needs a note of whom or what "
        "residents are guided to; nazorg a followUpOn after today; evaluatie an outcome, and closes the "
        "intervention (read-only from then on: 409). Needs If-Match with the intervention's ETag."
    ),
    responses=problem_responses(409, 412, 428),
)
async def change_intervention_phase(
    intervention_id: InterventionId,
    body: PhaseChangeCreate,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    expected_version: IfMatchDep,
) -> InterventionRead:
    intervention = await interventions.move_intervention(
        uow, scope, intervention_id, expected_version, body.to_domain(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(intervention.version)
    response.headers["Content-Location"] = f"{URL}/{intervention.id}"
    return InterventionRead.of(intervention)
