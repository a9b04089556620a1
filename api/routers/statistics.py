"""A wijk's statistics: anonymous counts per month, small ones suppressed, computed by the database."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from api.dependencies import UowDep, scoped
from api.direct import DirectRoute
from api.schemas.statistics import WijkStatisticsRead
from domain import statistics
from domain.identity import KOPPEL_ROLES, Role

router = APIRouter(prefix="/wijken", tags=["statistics"], route_class=DirectRoute)
# Anonymous counts: the koppel of the wijk and the gemeente of its municipality (not the admin:
# statistics describe casework, and the admin's role is the catalogue and the accounts).
Readers = scoped(*KOPPEL_ROLES, Role.gemeente)


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
    minimum = request.app.state.settings.statistics_min_count
    question = statistics.ask(scope, wijk_id, from_, to, minimum, datetime.now(UTC))
    return Response(await request.app.state.statistics_cache.body(uow, question), media_type="application/json")
