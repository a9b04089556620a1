"""Signals: problems reported in a wijk, handled by its koppel; housing systems read back their own."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import ValidationError

from api.dependencies import IfMatchDep, PageDep, UowDep, etag, json_page, link_next, scoped
from api.direct import DirectRoute
from api.idempotency import IdempotencyDep, Reply, RequiredIdempotencyDep
from api.problems import invalid_input_of, problem_responses
from api.schemas.common import PageOf
from api.schemas.signals import (
    SignalBatchCreate,
    SignalBatchRead,
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
from domain.pagination import PageRequest
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
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/signals", tags=["signals"], route_class=DirectRoute)
batch_router = APIRouter(prefix="/signal-batches", tags=["signals"])
SignalId = Annotated[UUID, Path(alias="signalId")]
# Signals may carry residents' personal data: the koppel of the wijk works with them; a housing
# system submits signals in the wijken its organisation serves and reads back its own organisation's
# signals as receipts. No admin, gemeente or agency access.
READERS = frozenset({*KOPPEL_ROLES, Role.housing_system})  # api.hot_reads admits the same
Readers = scoped(*READERS)
Submitters = scoped(*KOPPEL_ROLES, Role.housing_system)
Koppel = scoped(*KOPPEL_ROLES)
Housing = scoped(Role.housing_system)
SIGNAL_URL = "/api/v1/signals"
VIEWS = "Koppel members get the full signal (SignalRead); housing systems a receipt (SignalReceipt)."


def view(scope: Scope, signal: Signal) -> SignalRead | SignalReceipt:
    return SignalReceipt.of(signal) if signals.receipt_only(scope) else SignalRead.of(signal)


@router.get(
    "",
    operation_id="listSignals",
    summary="List the signals in your scope, oldest first",
    description=VIEWS,
    response_model=SignalPage,
)
async def list_signals(
    request: Request,
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
) -> Response:
    # On PostgreSQL most of these never get here: api.hot_reads answers them first.
    filters = SignalFilter(wijk_id, status_, category, source, urgency, created_from, created_to)
    return await signal_page_response(request, uow, scope, page, filters)


async def signal_page_response(
    request: Request, uow: SqlUnitOfWork, scope: Scope, page: PageRequest, filters: SignalFilter
) -> Response:
    """A page of signals as listSignals answers it."""
    result = await signals.list_signals(uow, scope, page, filters)
    body = SignalPage.json_of(result.items, result.next_cursor, receipts=signals.receipt_only(scope))
    return json_page(request, body, result)


@router.post(
    "",
    operation_id="createSignal",
    summary="Record a signal (status nieuw): staff in a wijk of their koppel, a corporation's system in a wijk it serves",
    description=(
        "Staff get SignalRead, housing systems a SignalReceipt. A housing system sends its own `externalReference` "
        "and an `Idempotency-Key`; leave out `wijkId` and the signal is placed by its location in a wijk your "
        "organisation serves (400 naming the location field otherwise). A signal sent again under the same "
        "reference is answered with the stored one (200), never stored twice; a staff member's reused reference "
        "is a 409."
    ),
    status_code=status.HTTP_201_CREATED,
    response_model=SignalRead | SignalReceipt,
    responses={
        200: {"model": SignalReceipt, "description": "A housing system's signal sent before under this externalReference."},
        **problem_responses(409),
    },
)
async def create_signal(body: SignalCreate, uow: UowDep, scope: Submitters, once: IdempotencyDep) -> Response:
    async def work() -> Reply:
        intake = await signals.record_signal(uow, scope, NewSignal(**body.to_fields()), datetime.now(UTC))
        signal = intake.signal
        headers = {"ETag": etag(signal.version), "Location": f"{SIGNAL_URL}/{signal.id}"}
        return Reply.json(201 if intake.created else 200, view(scope, signal), headers)

    return await once.run(scope.principal, work)


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


@batch_router.post(
    "",
    operation_id="createSignalBatch",
    summary="Submit up to 500 signals at once; each is recorded, recognised or refused on its own",
    description=(
        "For housing corporations' systems, with an `Idempotency-Key`. Every item follows the rules of "
        "POST /signals (own `externalReference` required, placed by its location in a wijk you serve). The "
        "answer (200) has one result per item, in order: `created`, `existing` (sent before under the same "
        "reference) or `rejected` with its problem detail; a rejected item does not stop the others."
    ),
    response_model=SignalBatchRead,
    responses=problem_responses(409),
)
async def create_signal_batch(body: SignalBatchCreate, uow: UowDep, scope: Housing, once: RequiredIdempotencyDep) -> Response:
    items: list[signals.BatchItem] = []
    for raw in body.signals:
        try:
            items.append(NewSignal(**SignalCreate.model_validate(raw).to_fields()))
        except ValidationError as invalid:
            items.append(invalid_input_of(invalid))

    async def work() -> Reply:
        outcomes = await signals.record_signal_batch(uow, scope, items, datetime.now(UTC))
        return Reply(200, SignalBatchRead.json_of(outcomes))

    return await once.run(scope.principal, work)
