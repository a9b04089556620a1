"""Referrals (toeleiden): the koppel guides a need to an offer; the receiving agency sees it only once
sent and only under the residents' consent, and answers by status. Plus a koppel's due follow-ups."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.referrals import (
    FLOW,
    FollowUpPage,
    FollowUpRead,
    ReferralAgencyRead,
    ReferralCreate,
    ReferralPage,
    ReferralRead,
    ReferralStatusChangeCreate,
    ReferralStatusChangeRead,
    ReferralUpdate,
    referral_view,
)
from domain import referrals
from domain.identity import KOPPEL_ROLES, Role
from domain.referrals import AgencyView, NewReferral, ReferralFilter, ReferralMove, ReferralStatus

router = APIRouter(prefix="/referrals", tags=["referrals"])
follow_ups_router = APIRouter(prefix="/koppels", tags=["referrals"])
ReferralId = Annotated[UUID, Path(alias="referralId")]
KoppelId = Annotated[UUID, Path(alias="koppelId")]
# The koppel of the wijk reads and proposes; the receiving agency reads what consent allows and answers.
Readers = accessing(*KOPPEL_ROLES, Role.agency_worker)
Koppel = accessing(*KOPPEL_ROLES)
KoppelScope = scoped(*KOPPEL_ROLES)
URL = "/api/v1/referrals"
VIEWS = (
    "Koppel members get the full referral (ReferralRead); the receiving agency gets ReferralAgencyRead, only once it "
    "was sent and only while every resident in it has a valid consent naming the agency (checked at this request). "
    "Every resident in the answer is recorded in the audit trail."
)


@router.get("", operation_id="listReferrals", summary="List the referrals you may read, oldest first", description=VIEWS)
async def list_referrals(
    request: Request,
    response: Response,
    uow: UowDep,
    access: Readers,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    koppel_id: Annotated[UUID | None, Query(alias="koppelId")] = None,
    need_id: Annotated[UUID | None, Query(alias="needId")] = None,
    offer_id: Annotated[UUID | None, Query(alias="offerId")] = None,
    status_: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    resident_id: Annotated[UUID | None, Query(alias="residentId")] = None,
) -> ReferralPage:
    filters = ReferralFilter(wijk_id, koppel_id, need_id, offer_id, status_, resident_id)
    result = await referrals.list_referrals(uow, access, page, filters, datetime.now(UTC))
    link_next(request, response, result)  # type: ignore[arg-type]
    return ReferralPage(items=[referral_view(r) for r in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createReferral",
    summary="Propose guiding a need to an offer (status voorgesteld; nothing reaches the agency yet)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_referral(body: ReferralCreate, response: Response, uow: UowDep, access: Koppel) -> ReferralRead:
    data = NewReferral(
        body.need_id, body.offer_id, body.note, frozenset(body.resident_ids) if body.resident_ids is not None else None
    )
    referral = await referrals.propose_referral(uow, access, data, datetime.now(UTC))
    response.headers["ETag"] = etag(referral.version)
    response.headers["Location"] = f"{URL}/{referral.id}"
    return ReferralRead.of(referral)


@router.get("/{referralId}", operation_id="getReferral", summary="Read a referral", description=VIEWS)
async def get_referral(
    referral_id: ReferralId, response: Response, uow: UowDep, access: Readers
) -> ReferralRead | ReferralAgencyRead:
    view = await referrals.get_referral(uow, access, referral_id, datetime.now(UTC))
    response.headers["ETag"] = etag((view.referral if isinstance(view, AgencyView) else view).version)
    return referral_view(view)


@router.patch(
    "/{referralId}",
    operation_id="updateReferral",
    summary="The koppel's note (while open) and the nazorg: plan it, record that you checked back",
    responses=problem_responses(409, 412, 428),
)
async def update_referral(
    referral_id: ReferralId,
    body: ReferralUpdate,
    response: Response,
    uow: UowDep,
    access: Koppel,
    expected_version: IfMatchDep,
) -> ReferralRead:
    referral = await referrals.update_referral(
        uow, access, referral_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(referral.version)
    return ReferralRead.of(referral)


@router.get(
    "/{referralId}/status-changes",
    operation_id="listReferralStatusChanges",
    summary="The referral's history: proposed, then every move (who, when, from, to, why)",
)
async def list_referral_status_changes(
    referral_id: ReferralId, request: Request, response: Response, uow: UowDep, access: Koppel, page: PageDep
) -> PageOf[ReferralStatusChangeRead]:
    result = await referrals.list_status_changes(uow, access, referral_id, page, datetime.now(UTC))
    link_next(request, response, result)
    return PageOf[ReferralStatusChangeRead](
        items=[ReferralStatusChangeRead.of(c) for c in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "/{referralId}/status-changes",
    operation_id="changeReferralStatus",
    summary="Move the referral; answers with your view of it as it is now",
    description=f"{FLOW} Sending (aangemeld) needs every resident's valid consent naming the offer's organisation "
    "(for a mediation both) and a free place when the offer counts places (409 otherwise). Needs If-Match.",
    responses=problem_responses(409, 412, 428),
)
async def change_referral_status(
    referral_id: ReferralId,
    body: ReferralStatusChangeCreate,
    response: Response,
    uow: UowDep,
    access: Readers,
    expected_version: IfMatchDep,
) -> ReferralRead | ReferralAgencyRead:
    view = await referrals.move_referral(
        uow, access, referral_id, expected_version, ReferralMove(body.to, body.reason, body.follow_up_on),
        datetime.now(UTC),
    )
    referral = view.referral if isinstance(view, AgencyView) else view
    response.headers["ETag"] = etag(referral.version)
    response.headers["Content-Location"] = f"{URL}/{referral.id}"
    return referral_view(view)


@follow_ups_router.get(
    "/{koppelId}/follow-ups",
    operation_id="listKoppelFollowUps",
    summary="The koppel's referrals whose nazorg is due or overdue, earliest first",
    description="Referrals of the koppel with `followUpOn` on or before `due` (default today) that nobody checked "
    "back on yet (`followedUpOn` empty), withdrawn ones excepted. For the koppel's own members.",
)
async def list_koppel_follow_ups(
    koppel_id: KoppelId,
    request: Request,
    response: Response,
    uow: UowDep,
    scope: KoppelScope,
    page: PageDep,
    due: Annotated[date | None, Query(description="Due on or before this day; default today (Europe/Amsterdam).")] = None,
) -> FollowUpPage:
    result = await referrals.list_follow_ups(uow, scope, koppel_id, due, page, datetime.now(UTC))
    link_next(request, response, result)
    return FollowUpPage(items=[FollowUpRead.of(f) for f in result.items], next_cursor=result.next_cursor)
