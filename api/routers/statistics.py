"""A wijk's statistics: anonymous counts per month, small ones suppressed, computed by the database."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.datastructures import State

from api.dependencies import UowDep, scoped
from api.direct import DirectRoute
from api.schemas.statistics import WijkStatisticsRead
from domain import statistics
from domain.identity import KOPPEL_ROLES, Role
from domain.scope import Scope
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/wijken", tags=["statistics"], route_class=DirectRoute)
# Anonymous counts: the koppel of the wijk and the gemeente of its municipality (not the admin:
# statistics describe casework, and the admin's role is the catalogue and the accounts).
READERS = frozenset({*KOPPEL_ROLES, Role.gemeente})  # api.hot_reads admits the same
Readers = scoped(*READERS)


@router.get(
    "/{wijkId}/statistics",
    response_model=WijkStatisticsRead,
    operation_id="getWijkStatistics",
    summary="The wijk's statistics per month: signals, contact moments, interventions, referrals, response time",
    description="Counts below `KOPPELWERK_STATISTICS_MIN_COUNT` (default 5) are reported as the string \"<5\" so that "
    "no person can be singled out. Default period: the last twelve months; at most 36 months.",
)
async def get_wijk_statistics(
    request: Request,
    uow: UowDep,
    scope: Readers,
    wijk_id: Annotated[UUID, Path(alias="wijkId")],
    from_: Annotated[date | None, Query(alias="from", description="First day (Europe/Amsterdam).")] = None,
    to: Annotated[date | None, Query(description="Last day (Europe/Amsterdam); default today.")] = None,
) -> Response:
    return await statistics_response(request.app.state, uow, scope, wijk_id, from_, to)


async def statistics_response(
    state: State, uow: SqlUnitOfWork, scope: Scope, wijk_id: UUID, from_: date | None, to: date | None
) -> Response:
    """The statistics as getWijkStatistics answers them (kept or counted: api.statistics_cache)."""
    question = statistics.ask(scope, wijk_id, from_, to, state.settings.statistics_min_count, datetime.now(UTC))
    return Response(await state.statistics_cache.body(uow, question), media_type="application/json")
