"""Shared goals of the partners in a wijk (at most three active per year) and quarterly reviews."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.goals import GoalCreate, GoalRead, GoalUpdate, ReviewCreate, ReviewRead, ReviewUpdate
from domain import goals
from domain.goals import GoalFilter, GoalStatus, NewGoal, NewReview
from domain.identity import KOPPEL_ROLES, Role

router = APIRouter(prefix="/wijken/{wijkId}/goals", tags=["goals"])
WijkId = Annotated[UUID, Path(alias="wijkId")]
GoalId = Annotated[UUID, Path(alias="goalId")]
ReviewId = Annotated[UUID, Path(alias="reviewId")]
# The admin and the koppel of the wijk set goals and record reviews; the gemeente reads those of
# its municipality's wijken.
Readers = scoped(Role.admin, *KOPPEL_ROLES, Role.gemeente)
Managers = scoped(Role.admin, *KOPPEL_ROLES)


def goal_url(wijk_id: UUID, goal_id: UUID) -> str:
    return f"/api/v1/wijken/{wijk_id}/goals/{goal_id}"


@router.get("", operation_id="listGoals", summary="The wijk's shared goals, by year and title")
async def list_goals(
    wijk_id: WijkId,
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Readers,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status_: Annotated[GoalStatus | None, Query(alias="status")] = None,
) -> PageOf[GoalRead]:
    result = await goals.list_goals(uow, scope, wijk_id, page, GoalFilter(year, status_))
    link_next(request, response, result)
    return PageOf[GoalRead](items=[GoalRead.of(g) for g in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createGoal",
    summary="Set an active shared goal for a year (at most three active per wijk and year: 409)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_goal(wijk_id: WijkId, body: GoalCreate, response: Response, uow: UowDep, scope: Managers) -> GoalRead:
    goal = await goals.create_goal(uow, scope, wijk_id, NewGoal(**body.to_fields()), datetime.now(UTC))
    response.headers["ETag"] = etag(goal.version)
    response.headers["Location"] = goal_url(wijk_id, goal.id)
    return GoalRead.of(goal)


@router.get("/{goalId}", operation_id="getGoal", summary="Read a goal")
async def get_goal(wijk_id: WijkId, goal_id: GoalId, response: Response, uow: UowDep, scope: Readers) -> GoalRead:
    goal = await goals.get_goal(uow, scope, wijk_id, goal_id)
    response.headers["ETag"] = etag(goal.version)
    return GoalRead.of(goal)


@router.patch(
    "/{goalId}",
    operation_id="updateGoal",
    summary="Change a goal, or mark it achieved, dropped or active again",
    responses=problem_responses(409, 412, 428),
)
async def update_goal(
    wijk_id: WijkId,
    goal_id: GoalId,
    body: GoalUpdate,
    response: Response,
    uow: UowDep,
    scope: Managers,
    expected_version: IfMatchDep,
) -> GoalRead:
    goal = await goals.update_goal(
        uow, scope, wijk_id, goal_id, expected_version, body.domain_changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(goal.version)
    return GoalRead.of(goal)


@router.get("/{goalId}/reviews", operation_id="listGoalReviews", summary="The goal's quarterly reviews")
async def list_goal_reviews(
    wijk_id: WijkId, goal_id: GoalId, request: Request, response: Response, uow: UowDep, scope: Readers, page: PageDep
) -> PageOf[ReviewRead]:
    result = await goals.list_reviews(uow, scope, wijk_id, goal_id, page)
    link_next(request, response, result)
    return PageOf[ReviewRead](items=[ReviewRead.of(r) for r in result.items], next_cursor=result.next_cursor)


@router.post(
    "/{goalId}/reviews",
    operation_id="createGoalReview",
    summary="Record a quarter's value and note (one review per quarter: 409)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_goal_review(
    wijk_id: WijkId, goal_id: GoalId, body: ReviewCreate, response: Response, uow: UowDep, scope: Managers
) -> ReviewRead:
    review = await goals.create_review(
        uow, scope, wijk_id, goal_id, NewReview(**body.model_dump()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(review.version)
    response.headers["Location"] = f"{goal_url(wijk_id, goal_id)}/reviews/{review.id}"
    return ReviewRead.of(review)


@router.get("/{goalId}/reviews/{reviewId}", operation_id="getGoalReview", summary="Read a quarterly review")
async def get_goal_review(
    wijk_id: WijkId, goal_id: GoalId, review_id: ReviewId, response: Response, uow: UowDep, scope: Readers
) -> ReviewRead:
    review = await goals.get_review(uow, scope, wijk_id, goal_id, review_id)
    response.headers["ETag"] = etag(review.version)
    return ReviewRead.of(review)


@router.patch(
    "/{goalId}/reviews/{reviewId}",
    operation_id="updateGoalReview",
    summary="Correct a review's value or note",
    responses=problem_responses(412, 428),
)
async def update_goal_review(
    wijk_id: WijkId,
    goal_id: GoalId,
    review_id: ReviewId,
    body: ReviewUpdate,
    response: Response,
    uow: UowDep,
    scope: Managers,
    expected_version: IfMatchDep,
) -> ReviewRead:
    review = await goals.update_review(
        uow, scope, wijk_id, goal_id, review_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(review.version)
    return ReviewRead.of(review)
