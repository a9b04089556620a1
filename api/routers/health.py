"""Liveness and readiness, for load balancers and orchestrators; no token needed."""

from fastapi import APIRouter, Request

from api.problems import DatabaseUnavailable, problem_responses
from api.schemas.common import ApiModel
from persistence.db import ping

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(ApiModel):
    status: str


@router.get("/live", operation_id="getLiveness", summary="The process is up")
async def live() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/ready",
    operation_id="getReadiness",
    summary="The service can reach its database",
    responses=problem_responses(503),
)
async def ready(request: Request) -> HealthStatus:
    try:
        await ping(request.app.state.engine)
    except Exception as exc:  # any failure to answer SELECT 1 means not ready
        raise DatabaseUnavailable(type(exc).__name__) from exc
    return HealthStatus(status="ok")
