"""Agenda items: social issues a koppel raises with the police, the municipality or a corporation."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.dependencies import IfMatchDep, OptionalIfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.idempotency import Reply, RequiredIdempotencyDep
from api.problems import problem_responses
from api.schemas.agenda_items import (
    AgendaItemCreate,
    AgendaItemForAddressee,
    AgendaItemPage,
    AgendaItemRead,
    AgendaItemUpdate,
    AgendaStatusChangeCreate,
)
from api.schemas.feeds import AgendaAnswerCreate, PoliceAgendaItem
from domain import agenda, feeds
from domain.agenda import AddresseeKind, AgendaFilter, AgendaItem, AgendaStatus, AgendaTheme, NewAgendaItem
from domain.casework import Priority
from domain.identity import KOPPEL_ROLES, Role
from domain.scope import Scope

router = APIRouter(prefix="/agenda-items", tags=["agenda-items"])
AgendaItemId = Annotated[UUID, Path(alias="agendaItemId")]
# The raising koppel, and the gemeente for items addressed to it. The police system follows its own
# feed (GET /feeds/agenda-items) and answers through /answers, with its own purpose-built model.
Parties = scoped(*KOPPEL_ROLES, Role.gemeente)
Koppel = scoped(*KOPPEL_ROLES)
Police = scoped(Role.police_system)
URL = "/api/v1/agenda-items"
VIEWS = "The raising koppel gets AgendaItemRead; the addressee AgendaItemForAddressee."


def view(scope: Scope, item: AgendaItem) -> AgendaItemRead | AgendaItemForAddressee:
    return AgendaItemRead.of(item) if agenda.sees_everything(scope, item) else AgendaItemForAddressee.of(item)


@router.get("", operation_id="listAgendaItems", summary="List the agenda items in your scope, oldest first", description=VIEWS)
async def list_agenda_items(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Parties,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    status_: Annotated[AgendaStatus | None, Query(alias="status")] = None,
    addressee_kind: Annotated[AddresseeKind | None, Query(alias="addresseeKind")] = None,
    theme: Annotated[AgendaTheme | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
) -> AgendaItemPage:
    filters = AgendaFilter(wijk_id, status_, addressee_kind, theme, priority)
    result = await agenda.list_agenda_items(uow, scope, page, filters)
    link_next(request, response, result)
    return AgendaItemPage(items=[view(scope, i) for i in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createAgendaItem",
    summary="Raise an agenda item for a wijk of your koppel (as a concept)",
    status_code=status.HTTP_201_CREATED,
)
async def create_agenda_item(body: AgendaItemCreate, response: Response, uow: UowDep, scope: Koppel) -> AgendaItemRead:
    item = await agenda.create_agenda_item(uow, scope, NewAgendaItem(**body.to_fields()), datetime.now(UTC))
    response.headers["ETag"] = etag(item.version)
    response.headers["Location"] = f"{URL}/{item.id}"
    return AgendaItemRead.of(item)


@router.get("/{agendaItemId}", operation_id="getAgendaItem", summary="Read an agenda item", description=VIEWS)
async def get_agenda_item(
    agenda_item_id: AgendaItemId, response: Response, uow: UowDep, scope: Parties
) -> AgendaItemRead | AgendaItemForAddressee:
    item = await agenda.get_agenda_item(uow, scope, agenda_item_id)
    response.headers["ETag"] = etag(item.version)
    return view(scope, item)


@router.patch(
    "/{agendaItemId}",
    operation_id="updateAgendaItem",
    summary="Change an agenda item before the addressee takes it up (the addressee only as a concept)",
    responses=problem_responses(409, 412, 428),
)
async def update_agenda_item(
    agenda_item_id: AgendaItemId,
    body: AgendaItemUpdate,
    response: Response,
    uow: UowDep,
    scope: Koppel,
    expected_version: IfMatchDep,
) -> AgendaItemRead:
    item = await agenda.update_agenda_item(
        uow, scope, agenda_item_id, expected_version, body.domain_changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(item.version)
    return AgendaItemRead.of(item)


@router.delete(
    "/{agendaItemId}",
    operation_id="deleteAgendaItem",
    summary="Delete a concept made by mistake (an item on someone's agenda is withdrawn instead)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
async def delete_agenda_item(
    agenda_item_id: AgendaItemId, uow: UowDep, scope: Koppel, expected_version: IfMatchDep
) -> None:
    await agenda.delete_agenda_item(uow, scope, agenda_item_id, expected_version, datetime.now(UTC))


@router.post(
    "/{agendaItemId}/status-changes",
    operation_id="changeAgendaItemStatus",
    summary="Put on the agenda, withdraw, or answer as the addressee; answers with the item as it is now",
    description=(
        "Each move belongs to one side: the raising koppel puts the item on the agenda and may withdraw it "
        "while it is not finished; the addressee takes it up, finishes or refuses it, with a response. "
        "Needs If-Match with the item's ETag. " + VIEWS
    ),
    responses=problem_responses(409, 412, 428),
)
async def change_agenda_item_status(
    agenda_item_id: AgendaItemId,
    body: AgendaStatusChangeCreate,
    response: Response,
    uow: UowDep,
    scope: Parties,
    expected_version: IfMatchDep,
) -> AgendaItemRead | AgendaItemForAddressee:
    item = await agenda.move_agenda_item(
        uow, scope, agenda_item_id, expected_version, body.to_domain(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(item.version)
    response.headers["Content-Location"] = f"{URL}/{item.id}"
    return view(scope, item)


@router.post(
    "/{agendaItemId}/answers",
    operation_id="answerAgendaItem",
    summary="The police's answer: take an item up, finish or refuse it, attach your reference",
    description=(
        "For the police's system, on items in its feed. `status` in_behandeling acknowledges the item; "
        "afgehandeld and afgewezen need a `response`; without `status` the reference and response are only "
        "attached. Send an `Idempotency-Key`: a retry replays the first answer. An answer the item already "
        "gives changes nothing. `If-Match` is optional (your answer changes only your own fields); a stale "
        "one is a 412. Moves outside the status table are a 409."
    ),
    response_model=PoliceAgendaItem,
    responses=problem_responses(409, 412),
)
async def answer_agenda_item(
    agenda_item_id: AgendaItemId,
    body: AgendaAnswerCreate,
    uow: UowDep,
    scope: Police,
    once: RequiredIdempotencyDep,
    expected_version: OptionalIfMatchDep = None,
) -> Response:
    async def work() -> Reply:
        item = await agenda.answer_agenda_item(
            uow, scope, agenda_item_id, body.to_domain(), expected_version, datetime.now(UTC)
        )
        wijk = await uow.wijken.get(item.wijk_id)
        assert wijk is not None  # an item's wijk is never deleted
        return Reply.json(200, PoliceAgendaItem.of(feeds.AddresseeItem.of(item, wijk)), {"ETag": etag(item.version)})

    return await once.run(scope.principal, work)
