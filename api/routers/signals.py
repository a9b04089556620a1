"""Signals: problems reported in a wijk, handled by its koppel; housing systems read back their own."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.signals import (
    SignalCreate,
    SignalPage,
    SignalRead,
    SignalReceipt,
    SignalStatusChangeCreate,
    SignalStatusChangeRead,
    SignalUpdate,
)
from domain import signals
from domain.casework import Priority
from domain.identity import KOPPEL_ROLES, Role
from domain.scope import Scope
from domain.signals import (
    NewSignal,
    Signal,
    SignalCategory,
    SignalFilter,
    SignalMove,
    SignalSource,
    SignalStatus,
)

router = APIRouter(prefix="/signals", tags=["signals"])
SignalId = Annotated[UUID, Path(alias="signalId")]
# Signals may carry residents' personal data: the koppel of the wijk works with them; a housing
# system reads back its own organisation's signals as receipts. No admin, gemeente or agency access.
Readers = scoped(*KOPPEL_ROLES, Role.housing_system)
Koppel = scoped(*KOPPEL_ROLES)
SIGNAL_URL = "/api/v1/signals"
VIEWS = "Koppel members get the full signal (SignalRead); housing systems a receipt (SignalReceipt)."


def view(scope: Scope, signal: Signal) -> SignalRead | SignalReceipt:
    return SignalReceipt.of(signal) if signals.receipt_only(scope) else SignalRead.of(signal)


@router.get("", operation_id="listSignals", summary="List the signals in your scope, oldest first", description=VIEWS)
async def list_signals(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Readers,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    status_: Annotated[SignalStatus | None, Query(alias="status")] = None,
    category: Annotated[SignalCategory | None, Query()] = None,
    source: Annotated[SignalSource | None, Query()] = None,
    urgency: Annotated[Priority | None, Query()] = None,
    created_from: Annotated[
        date | None, Query(alias="createdFrom", description="Created on or after this day (Europe/Amsterdam).")
    ] = None,
    created_to: Annotated[
        date | None, Query(alias="createdTo", description="Created on or before this day (Europe/Amsterdam).")
    ] = None,
) -> SignalPage:
    filters = SignalFilter(wijk_id, status_, category, source, urgency, created_from, created_to)
    result = await signals.list_signals(uow, scope, page, filters)
    link_next(request, response, result)
    return SignalPage(items=[view(scope, s) for s in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createSignal",
    summary="Record a signal in a wijk of your koppel (status nieuw)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_signal(body: SignalCreate, response: Response, uow: UowDep, scope: Koppel) -> SignalRead:
    signal = await signals.create_signal(uow, scope, NewSignal(**body.to_fields()), datetime.now(UTC))
    response.headers["ETag"] = etag(signal.version)
    response.headers["Location"] = f"{SIGNAL_URL}/{signal.id}"
    return SignalRead.of(signal)


@router.get("/{signalId}", operation_id="getSignal", summary="Read a signal", description=VIEWS)
async def get_signal(signal_id: SignalId, response: Response, uow: UowDep, scope: Readers) -> SignalRead | SignalReceipt:
    signal = await signals.get_signal(uow, scope, signal_id)
    response.headers["ETag"] = etag(signal.version)
    return view(scope, signal)


@router.patch(
    "/{signalId}",
    operation_id="updateSignal",
    summary="Correct category, description, urgency or location of an open signal",
    responses=problem_responses(409, 412, 428),
)
async def update_signal(
    signal_id: SignalId,
    body: SignalUpdate,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    expected_version: IfMatchDep,
) -> SignalRead:
    signal = await signals.update_signal(
        uow, scope, signal_id, expected_version, body.domain_changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(signal.version)
    return SignalRead.of(signal)


@router.get(
    "/{signalId}/status-changes",
    operation_id="listSignalStatusChanges",
    summary="The signal's history: recorded, then every status move (who, when, from, to, why)",
)
async def list_signal_status_changes(
    signal_id: SignalId, request: Request, response: Response, uow: UowDep, scope: Koppel, page: PageDep
) -> PageOf[SignalStatusChangeRead]:
    result = await signals.list_status_changes(uow, scope, signal_id, page)
    link_next(request, response, result)
    return PageOf[SignalStatusChangeRead](
        items=[SignalStatusChangeRead.of(c) for c in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "/{signalId}/status-changes",
    operation_id="changeSignalStatus",
    summary="Move the signal to another status; answers with the signal as it is now",
    description="Needs If-Match with the signal's ETag. Moves outside the transition table are a 409.",
    responses=problem_responses(409, 412, 428),
)
async def change_signal_status(
    signal_id: SignalId,
    body: SignalStatusChangeCreate,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    expected_version: IfMatchDep,
) -> SignalRead:
    signal = await signals.change_signal_status(
        uow, scope, signal_id, expected_version, SignalMove(body.to, body.reason), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(signal.version)
    response.headers["Content-Location"] = f"{SIGNAL_URL}/{signal.id}"
    return SignalRead.of(signal)
